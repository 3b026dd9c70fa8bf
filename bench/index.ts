/**
 * Runs every benchmark of this folder one after the other, each in its own process (each starts
 * its own embedded PostgreSQL): `npm run bench`, or `npm run bench -- ingest copy-encoding` for
 * some of them. Arguments after `--` that are not bench names are passed to each bench.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => file.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
const chosen = args.filter((arg) => all.includes(arg));
const passed = args.filter((arg) => !all.includes(arg));
let failed = false;
for (const bench of chosen.length > 0 ? chosen : all) {
  console.log(`\n=== bench/${bench}.ts ${passed.join(' ')}`.trimEnd());
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${bench}.ts`), ...passed], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
