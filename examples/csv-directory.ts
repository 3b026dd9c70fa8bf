/**
 * A directory of CSV files into a table with the built-in `csvFiles` source: one batch per file, the
 * last file name as the watermark, so a second run reads only files added since.
 *
 *   DATABASE_URL=postgres://user:password@host/db npx tsx examples/csv-directory.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { csvFiles, ingest, type TableDefinition } from 'temporal-pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const directory = await mkdtemp(join(tmpdir(), 'temporal-pg-example-'));
await pool.query('DROP TABLE IF EXISTS example.orders'); // start afresh on every run of the example

const orders: TableDefinition = {
  schema: 'example',
  name: 'orders',
  columns: [
    { name: 'id', type: 'bigint', primaryKey: true },
    { name: 'customer', type: 'text', nullable: false },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'paid', type: 'boolean' },
  ],
};
const load = () => ingest(pool, orders, (highWatermark) => csvFiles(highWatermark, { directory, coerce: { paid: 'boolean' } }));

try {
  // Files are read in byte order of their names: name them so that new ones sort last.
  await writeFile(join(directory, 'orders-2024-06-01.csv'), 'id,customer,amount,paid\n1,"Ada, Countess",12.50,true\n2,Grace,7,false\n');
  await writeFile(join(directory, 'orders-2024-06-02.csv'), 'id,customer,amount,paid\n3,Edsger,99.99,yes\n2,Grace,8,true\n');
  const first = await load();
  console.log(`first run: ${first.batches} files, ${first.rows} rows, watermark ${JSON.stringify(first.highWatermark)}`);

  await writeFile(join(directory, 'orders-2024-06-03.csv'), 'id,customer,amount,paid\n4,Barbara,,\n');
  const second = await load();
  console.log(`second run: ${second.batches} file, ${second.rows} row, watermark ${JSON.stringify(second.highWatermark)}`);

  const { rows } = await pool.query('SELECT id, customer, amount, paid FROM example.orders ORDER BY id');
  console.table(rows);
} finally {
  await rm(directory, { recursive: true, force: true });
  await pool.end();
}
