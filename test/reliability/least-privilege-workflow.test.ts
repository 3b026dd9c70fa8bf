/**
 * Least privilege through Temporal: a worker whose only database is an ETL role that owns its
 * schema — not a superuser, not allowed to create schemas, not in `pg_signal_backend` — runs
 * ingest workflows that create the table, rebuild it and swap it in past one of its own sessions
 * (a role may always end its own), keeping views, grants and ownership. When the swap meets another
 * role's session, the workflow fails at once with a non-retryable SignalPermissionDenied naming the
 * privilege, the table and watermark as they were; granted the privilege, the same workflow swaps.
 */
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { executeIngest, type IngestInput } from '../../src/client/index.js';
import { readHighWatermark } from '../../src/index.js';
import { duplicatesAndCount, holdTable, numbersTable, packageWorkflows, withIngestWorker, workflowFailure } from '../e2e/helpers.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';
import { createLeastPrivilegeRoles } from './support/etl-role.js';
import { snapshotDatabase } from './support/snapshot.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

const SCHEMA = 'etl_wf';
let etl: { name: string; url: string };
let analyst: { name: string; url: string };
let etlPool: pg.Pool;

beforeAll(async () => {
  ({ etl, analyst } = await createLeastPrivilegeRoles(db, SCHEMA, 'wf_'));
  etlPool = db.newPool({ connectionString: etl.url, max: 6, application_name: 'etl worker' });
});

const FORCE = { delayMs: 500, checkIntervalMs: 100, lockTimeoutMs: 100 };
const TABLE = numbersTable(SCHEMA, 'sales', { primaryKey: true });
const ingestOf = (batchType: string, batches: number): IngestInput => ({
  tables: numbersTable(SCHEMA, 'sales', { primaryKey: true, batchType }),
  source: { name: 'numbers', args: { batches, rowsPerBatch: 50 } },
  forceExecute: FORCE,
});

describe('an ingest worker connected as an ETL role that owns its schema, without superuser or pg_signal_backend', () => {
  it('creates, rebuilds and swaps past its own session, keeping the view, the grants and the owner', async () => {
    const { rows: role } = await etlPool.query(`SELECT rolsuper, pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal, has_database_privilege(current_database(), 'CREATE') AS create_schemas FROM pg_roles WHERE rolname = current_user`);
    expect(role).toEqual([{ rolsuper: false, signal: false, create_schemas: false }]);

    await withIngestWorker(temporal, etlPool, async ({ client, taskQueue }) => {
      const created = await executeIngest(client, ingestOf('integer', 2), { taskQueue });
      expect(created.tables[0]).toMatchObject({ migration: 'create', rows: 100 });
      await etlPool.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO "${analyst.name}"; GRANT SELECT ON ${SCHEMA}.sales TO "${analyst.name}";
        CREATE VIEW ${SCHEMA}.sales_per_batch AS SELECT batch, count(*)::int AS n FROM ${SCHEMA}.sales GROUP BY batch; GRANT SELECT ON ${SCHEMA}.sales_per_batch TO "${analyst.name}"`);

      const own = await holdTable(db, `${SCHEMA}.sales`, 'etl notebook', { mode: 'ACCESS SHARE', url: etl.url });
      const rebuilt = await executeIngest(client, ingestOf('bigint', 4), { taskQueue });
      await own.client.end().catch(() => undefined);
      expect(rebuilt).toMatchObject({ batches: 2, rows: 100, highWatermark: 4, swapped: true });
      expect(rebuilt.tables[0]).toMatchObject({ migration: 'rebuild', swapped: true });
      expect(rebuilt.blockers.map((b) => [b.pid, b.applicationName, b.signalled])).toEqual([[own.pid, 'etl notebook', true]]);
    });

    const asAnalyst = await db.client({ url: analyst.url });
    expect((await asAnalyst.query(`SELECT batch::int, n FROM ${SCHEMA}.sales_per_batch ORDER BY batch`)).rows).toEqual([1, 2, 3, 4].map((batch) => ({ batch, n: 50 })));
    await asAnalyst.end();
    const { rows: owners } = await db.pool.query(`SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = '${SCHEMA}'::regnamespace AND relkind IN ('r', 'v') ORDER BY 1`);
    expect(owners).toEqual(['sales', 'sales_per_batch'].map((relname) => ({ relname, owner: etl.name })));
    expect(await duplicatesAndCount(db.pool, { schema: SCHEMA, name: 'sales' })).toEqual({ duplicates: [], rows: 200 });
  });

  it("fails fast and non-retryably with SignalPermissionDenied when another role's session blocks the swap; swaps once the role may signal", async () => {
    const report = await holdTable(db, `${SCHEMA}.sales`, 'analyst report', { mode: 'ACCESS SHARE', url: analyst.url });
    const before = await snapshotDatabase(db.pool);
    await withIngestWorker(temporal, etlPool, async ({ client, taskQueue }) => {
      const started = performance.now();
      const failure = await workflowFailure(executeIngest(client, ingestOf('integer', 6), { taskQueue }));
      expect(failure.type).toBe('SignalPermissionDenied');
      expect(failure.nonRetryable).toBe(true);
      for (const text of ['pg_signal_backend', analyst.name]) expect(failure.message).toContain(text);
      // At the delay, not after waiting for the report to end.
      expect(performance.now() - started).toBeLessThan(20_000);
    });
    expect((await report.client.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    const after = await snapshotDatabase(db.pool);
    expect(after.relations[`${SCHEMA}.sales`]).toEqual(before.relations[`${SCHEMA}.sales`]);
    expect(await readHighWatermark(etlPool, TABLE)).toBe(4);

    await db.pool.query(`GRANT pg_signal_backend TO "${etl.name}"`);
    try {
      await withIngestWorker(temporal, etlPool, async ({ client, taskQueue }) => {
        const swapped = await executeIngest(client, ingestOf('integer', 6), { taskQueue });
        expect(swapped).toMatchObject({ batches: 2, highWatermark: 6, swapped: true });
        expect(swapped.blockers.map((b) => [b.pid, b.applicationName, b.signalled])).toEqual([[report.pid, 'analyst report', true]]);
      });
    } finally {
      await db.pool.query(`REVOKE pg_signal_backend FROM "${etl.name}"`);
      await report.client.end().catch(() => undefined);
    }
    expect(await duplicatesAndCount(db.pool, { schema: SCHEMA, name: 'sales' })).toEqual({ duplicates: [], rows: 300 });
    expect(await readHighWatermark(etlPool, TABLE)).toBe(6);
  });
});
