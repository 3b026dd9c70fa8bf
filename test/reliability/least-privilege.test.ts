/**
 * Least privilege, at the library level: an ETL role that owns its schema — not a superuser, not
 * allowed to create schemas, not a member of `pg_signal_backend` — runs every kind of ingest; when
 * the swap meets another role's session it may not terminate, it fails at once with a typed error
 * that names the privilege to grant, leaving table and watermark as they were; the query text of
 * sessions it terminates stays out of reports and logs unless `includeQueryText` asks for it.
 */
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignalPermissionDeniedError, forceExecute, ingest, readHighWatermark, type IngestLogger, type TableDefinition } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { holdLock } from './support/backends.js';
import { createLeastPrivilegeRoles } from './support/etl-role.js';
import { expectError } from './support/expect-error.js';
import { snapshotDatabase } from './support/snapshot.js';

const db = useTestDatabase();
let etl: { name: string; url: string };
let analyst: { name: string; url: string };
let etlPool: pg.Pool;

const SCHEMA = 'warehouse';

beforeAll(async () => {
  ({ etl, analyst } = await createLeastPrivilegeRoles(db, SCHEMA));
  etlPool = db.newPool({ connectionString: etl.url, max: 4, application_name: 'etl' });
});

function definition(name: string, idType = 'integer', extra: TableDefinition['columns'] = []): TableDefinition {
  return { schema: SCHEMA, name, columns: [{ name: 'id', type: idType, primaryKey: true }, { name: 'label', type: 'text' }, ...extra] };
}

/** Logger lines, as one JSON string per line (message and metadata). */
function capturingLogger(): IngestLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push(JSON.stringify({ level, message, meta }));
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('an ETL role that owns its schema, without superuser or pg_signal_backend', () => {
  it('is what the tests think it is', async () => {
    const { rows } = await etlPool.query(`SELECT rolsuper, rolcreaterole, pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal, has_database_privilege(current_database(), 'CREATE') AS create_schemas FROM pg_roles WHERE rolname = current_user`);
    expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false, signal: false, create_schemas: false }]);
  });

  it('creates, upserts, migrates in place, rebuilds and swaps with views and grants, and keeps the watermark', async () => {
    const first = await ingest(etlPool, definition('sales'), () => [{ highWatermark: 'a', rows: [[1, 'one'], [2, 'two']] }]);
    expect(first.tables[0]?.migration).toBe('create');
    await etlPool.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO "${analyst.name}"; GRANT SELECT ON ${SCHEMA}.sales TO "${analyst.name}", PUBLIC;
      CREATE VIEW ${SCHEMA}.sales_view AS SELECT id, label FROM ${SCHEMA}.sales; GRANT SELECT ON ${SCHEMA}.sales_view TO "${analyst.name}";
      CREATE MATERIALIZED VIEW ${SCHEMA}.sales_count AS SELECT count(*) AS n FROM ${SCHEMA}.sales`);

    const upsert = await ingest(etlPool, definition('sales'), () => [{ highWatermark: 'b', rows: [[2, 'TWO'], [3, 'three']] }]);
    expect(upsert.tables[0]?.migration).toBe('none');
    const inPlace = await ingest(etlPool, { ...definition('sales', 'integer', [{ name: 'note', type: 'text' }]), indexes: [{ columns: ['label'] }] }, () => [{ highWatermark: 'c', rows: [[4, 'four', 'new column']] }]);
    expect(inPlace.tables[0]?.migration).toBe('in-place');

    // A session of the same role blocks the swap: a role may terminate its own sessions without pg_signal_backend.
    const own = await db.client({ url: etl.url, applicationName: 'etl notebook' });
    await holdLock(own, `${SCHEMA}.sales`, 'ACCESS SHARE');
    const rebuild = await ingest(etlPool, { ...definition('sales', 'bigint', [{ name: 'note', type: 'text' }]), indexes: [{ columns: ['label'] }] }, () => [{ highWatermark: 'd', rows: [[5, 'five', null]] }], {
      forceExecute: { delayMs: 300, checkIntervalMs: 100, lockTimeoutMs: 100 },
    });
    await own.end();
    expect(rebuild.tables[0]?.migration).toBe('rebuild');
    expect(rebuild.swapped).toBe(true);
    expect(rebuild.blockers).toEqual([expect.objectContaining({ applicationName: 'etl notebook', signalled: true })]);

    const asAnalyst = await db.client({ url: analyst.url });
    expect((await asAnalyst.query(`SELECT id, label FROM ${SCHEMA}.sales_view ORDER BY id`)).rows).toEqual([
      { id: '1', label: 'one' }, { id: '2', label: 'TWO' }, { id: '3', label: 'three' }, { id: '4', label: 'four' }, { id: '5', label: 'five' },
    ]);
    expect((await asAnalyst.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.sales`)).rows).toEqual([{ n: 5 }]);
    await asAnalyst.end();
    const { rows: owners } = await db.pool.query(`SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c WHERE c.relnamespace = '${SCHEMA}'::regnamespace AND c.relkind IN ('r', 'v', 'm') ORDER BY 1`);
    expect(owners).toEqual(['sales', 'sales_count', 'sales_view'].map((relname) => ({ relname, owner: etl.name })));
    expect(await readHighWatermark(etlPool, definition('sales'))).toBe('d');
  });

  it("fails fast with SignalPermissionDenied naming pg_signal_backend when another role's session blocks force-execute; the statement is rolled back", async () => {
    await etlPool.query(`CREATE TABLE ${SCHEMA}.fx (x int); GRANT USAGE ON SCHEMA ${SCHEMA} TO "${analyst.name}"; GRANT SELECT ON ${SCHEMA}.fx TO "${analyst.name}"`);
    const report = await db.client({ url: analyst.url, applicationName: 'analyst report' });
    await holdLock(report, `${SCHEMA}.fx`, 'ACCESS SHARE');
    const started = performance.now();
    const failure = await forceExecute(etlPool, `ALTER TABLE ${SCHEMA}.fx ADD COLUMN y int`, { delayMs: 500, checkIntervalMs: 100, lockTimeoutMs: 100 }).catch((error: unknown) => error);
    const seconds = (performance.now() - started) / 1000;
    expectError(failure, { error: SignalPermissionDeniedError, type: 'SignalPermissionDenied', names: ['pg_signal_backend', analyst.name] });
    // At the delay, not after waiting for the report to end.
    expect(seconds).toBeLessThan(5);
    expect((await report.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    await report.end();
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = '${SCHEMA}.fx'::regclass AND attname = 'y'`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('an ingest whose swap meets such a session fails the same way, table and watermark untouched; it swaps once the role may signal', async () => {
    const table = definition('orders');
    await ingest(etlPool, table, () => [{ highWatermark: 1, rows: [[1, 'one']] }]);
    await etlPool.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO "${analyst.name}"; GRANT SELECT ON ${SCHEMA}.orders TO "${analyst.name}"`);
    const report = await db.client({ url: analyst.url, applicationName: 'analyst report' });
    await holdLock(report, `${SCHEMA}.orders`, 'ACCESS SHARE');
    const before = await snapshotDatabase(db.pool);
    const force = { delayMs: 300, checkIntervalMs: 100, lockTimeoutMs: 100 };
    const failure = await ingest(etlPool, definition('orders', 'bigint'), () => [{ highWatermark: 2, rows: [[2, 'two']] }], { forceExecute: force }).catch((error: unknown) => error);
    expectError(failure, { error: SignalPermissionDeniedError, type: 'SignalPermissionDenied', names: ['pg_signal_backend'] });
    const after = await snapshotDatabase(db.pool);
    expect(after.relations[`${SCHEMA}.orders`]).toEqual(before.relations[`${SCHEMA}.orders`]);
    expect(await readHighWatermark(etlPool, table)).toBe(1);

    // What the message advises: grant pg_signal_backend. Then the same ingest terminates the report and swaps.
    await db.pool.query(`GRANT pg_signal_backend TO "${etl.name}"`);
    try {
      const swapped = await ingest(etlPool, definition('orders', 'bigint'), () => [{ highWatermark: 2, rows: [[2, 'two']] }], { forceExecute: force });
      expect(swapped.blockers).toEqual([expect.objectContaining({ applicationName: 'analyst report', signalled: true })]);
    } finally {
      await db.pool.query(`REVOKE pg_signal_backend FROM "${etl.name}"`);
      await report.end();
    }
    expect((await etlPool.query(`SELECT id::int, label FROM ${SCHEMA}.orders ORDER BY id`)).rows).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    expect(await readHighWatermark(etlPool, table)).toBe(2);
  });
});

describe("terminated sessions' query text", () => {
  for (const includeQueryText of [false, true]) {
    it(`is ${includeQueryText ? 'reported when includeQueryText is set' : 'kept out of the report and the logs by default'}`, async () => {
      const name = `secrets_${includeQueryText}`;
      await ingest(etlPool, definition(name), () => [{ highWatermark: 1, rows: [[1, 'one']] }]);
      const own = await db.client({ url: etl.url, applicationName: 'etl notebook' });
      await own.query('BEGIN');
      // Its last statement carries a secret, as a real session's might (a literal API key, a password).
      await own.query(`SELECT 'sk_live_5f3a9e' AS api_key, count(*) FROM ${SCHEMA}.${name}`);
      const logger = capturingLogger();
      const report = await ingest(etlPool, definition(name), () => [{ highWatermark: 2, rows: [[2, 'two']] }], {
        delete: 'before-first-batch',
        logger,
        forceExecute: { delayMs: 200, checkIntervalMs: 100, lockTimeoutMs: 100, includeQueryText },
      });
      await own.end();
      expect(report.blockers).toHaveLength(1);
      const logged = logger.lines.join('\n');
      expect(logged).toContain('etl notebook');
      if (includeQueryText) {
        expect(report.blockers[0]?.query).toContain('sk_live_5f3a9e');
      } else {
        expect(report.blockers[0]?.query).toBeNull();
        expect(JSON.stringify(report)).not.toContain('sk_live_5f3a9e');
        expect(logged).not.toContain('sk_live_5f3a9e');
      }
    });
  }
});


describe('no secret in error messages', () => {
  it('connection failures, refused logins and permission errors name neither the password nor the connection string', async () => {
    const password = new URL(etl.url).password;
    const wrong = new URL(etl.url);
    wrong.password = 'Wr0ng-S3cret-Pa55';
    const closed = new URL(etl.url);
    closed.port = '1';
    const failures: unknown[] = [];
    for (const url of [wrong.toString(), closed.toString()]) {
      const pool = db.newPool({ connectionString: url, max: 1 });
      failures.push(await ingest(pool, definition('never'), () => [{ highWatermark: 1, rows: [[1, 'x']] }]).catch((error: unknown) => error));
      failures.push(await forceExecute(pool, 'SELECT 1', { delayMs: 100 }).catch((error: unknown) => error));
      await pool.end();
    }
    // Refused by the server: a schema the role may not create tables in.
    failures.push(await ingest(etlPool, { schema: 'public', name: 'nope', columns: [{ name: 'id', type: 'int' }] }, () => [{ highWatermark: 1, rows: [[1]] }]).catch((error: unknown) => error));
    expect(failures.every((failure) => failure instanceof Error)).toBe(true);
    for (const failure of failures) {
      const error = failure as Error & { details?: unknown };
      const text = [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(error.details ?? null), String(error.cause)].join('\n');
      for (const secret of [password, 'Wr0ng-S3cret-Pa55', etl.url, wrong.toString(), closed.toString()]) expect(text).not.toContain(secret);
    }
  });
});
