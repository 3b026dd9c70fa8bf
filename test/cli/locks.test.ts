import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advisoryKey, type BlockedLock, type BlockingTreeNode, type LockInfo } from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { freePort } from '../support/free-port.js';
import { backendPid, waitUntilWaiting } from '../pg/locks/helpers.js';
import { runCli } from './run-cli.js';

const db = useTestDatabase();

// A small blocking scene: `cli-root` holds an advisory lock and ACCESS EXCLUSIVE on `orders`;
// `cli-waiter` waits to read `orders`.
let root: pg.Client;
let rootPid: number;
let waiter: pg.Client;
let waiterPid: number;
let waiterDone: Promise<unknown>;
const key = advisoryKey('cli-key');

beforeAll(async () => {
  await db.pool.query('CREATE TABLE orders (id int)');
  root = await db.client({ applicationName: 'cli-root' });
  rootPid = await backendPid(root);
  await root.query(`SELECT pg_advisory_lock(${key.value})`);
  await root.query('BEGIN');
  await root.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
  waiter = await db.client({ applicationName: 'cli-waiter' });
  waiterPid = await backendPid(waiter);
  waiterDone = waiter.query('SELECT count(*) FROM orders').catch((e: unknown) => e);
  await waitUntilWaiting(db.pool, waiterPid);
});

afterAll(async () => {
  await root.query('COMMIT');
  await waiterDone;
  await Promise.all([root.end(), waiter.end()]);
});

describe('temporal-pg locks', () => {
  it('documents its flags and exit codes', async () => {
    const run = await runCli(['locks', '--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--blocked', '--tree', '--json', '--min-wait <duration>', '--relation <name>', '--database-url <url>']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toMatch(/^  2 +usage error/m);
  });

  it('prints every lock as JSON', async () => {
    const run = await runCli(['locks', '--json', '--database-url', db.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const locks = JSON.parse(run.stdout) as LockInfo[];
    expect(locks[0]).toMatchObject({ pid: waiterPid, granted: false, relation: { name: 'orders' }, mode: 'ACCESS SHARE' });
    expect(locks).toContainEqual(expect.objectContaining({ pid: rootPid, lockType: 'advisory', advisoryKey: { kind: 'int64', value: key.value.toString() } }));
    expect(locks).toContainEqual(expect.objectContaining({ pid: rootPid, mode: 'ACCESS EXCLUSIVE', description: 'public.orders' }));
    // The CLI's own session is not listed, nor, without --all, each transaction's lock on its own id.
    expect(locks.every((l) => l.session?.applicationName !== 'temporal-pg cli')).toBe(true);
    expect(locks.some((l) => l.lockType === 'virtualxid')).toBe(false);
    const all = JSON.parse((await runCli(['locks', '--json', '--all', '--database-url', db.url])).stdout) as LockInfo[];
    expect(all).toContainEqual(expect.objectContaining({ pid: rootPid, lockType: 'virtualxid', mode: 'EXCLUSIVE', granted: true }));
  });

  it('reads DATABASE_URL and filters by relation', async () => {
    const run = await runCli(['locks', '--json', '--relation', 'public.orders'], { DATABASE_URL: db.url });
    expect(run.code).toBe(0);
    const locks = JSON.parse(run.stdout) as LockInfo[];
    expect(locks.map((l) => [l.pid, l.mode]).sort()).toEqual(
      [
        [rootPid, 'ACCESS EXCLUSIVE'],
        [waiterPid, 'ACCESS SHARE'],
      ].sort(),
    );
  });

  it('prints aligned columns', async () => {
    const run = await runCli(['locks', '--database-url', db.url, '--application-name', 'cli-root']);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^\s*PID  USER\s+APPLICATION  TYPE\s+MODE\s+GRANTED\s+WAIT  ON\s+STATE\s+QUERY AGE  QUERY$/);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const onColumn = header!.indexOf('  ON') + 2;
    for (const row of rows) expect(row.slice(onColumn - 2, onColumn)).toBe('  ');
    expect(rows.some((r) => r.includes('public.orders') && r.includes('ACCESS EXCLUSIVE'))).toBe(true);
    expect(rows.some((r) => r.includes(`advisory ${key.value}`))).toBe(true);
  });

  it('shows lock waits with their blockers, filtered by wait time', async () => {
    const run = await runCli(['locks', '--blocked', '--json', '--min-wait', '10ms', '--database-url', db.url]);
    expect(run.code).toBe(0);
    const waits = JSON.parse(run.stdout) as BlockedLock[];
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ pid: waiterPid, blockedBy: [expect.objectContaining({ pid: rootPid, applicationName: 'cli-root' })] });
    const none = await runCli(['locks', '--blocked', '--min-wait', '2h', '--database-url', db.url]);
    expect(none).toMatchObject({ code: 0, stdout: 'No lock waits.\n' });
    const table = await runCli(['locks', '--blocked', '--database-url', db.url]);
    expect(table.stdout).toMatch(/PID\s+USER\s+APPLICATION\s+WAITS FOR\s+WAIT\s+BLOCKED BY\s+QUERY/);
    expect(table.stdout).toMatch(new RegExp(`${waiterPid}.*cli-waiter.*ACCESS SHARE on public\\.orders.*\\b${rootPid}\\b`));
  });

  it('draws the blocking tree', async () => {
    const run = await runCli(['locks', '--tree', '--database-url', db.url]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${rootPid}  \\S+  cli-root  idle in transaction  transaction open`));
    expect(lines[1]).toMatch(new RegExp(`^└─ ${waiterPid}  \\S+  cli-waiter  active  waits \\S+ for ACCESS SHARE on public\\.orders  SELECT count`));
    const json = JSON.parse((await runCli(['locks', '--tree', '--json', '--database-url', db.url])).stdout) as BlockingTreeNode[];
    expect(json.map((n) => [n.session.pid, n.blocks.map((b) => b.session.pid)])).toEqual([[rootPid, [waiterPid]]]);
  });

  it('exits 2 on bad flags and values', async () => {
    for (const args of [['--bogus'], ['--min-wait', '5'], ['--min-wait', 'soon'], ['--blocked', '--tree'], ['--pid', 'x'], ['extra'], ['--tree', '--user', 'me']]) {
      const run = await runCli(['locks', ...args, '--database-url', db.url]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^temporal-pg locks: .+\nRun "temporal-pg locks --help" for usage\.\n$/);
      expect(run.stdout).toBe('');
    }
    expect((await runCli(['locks', '--min-wait', '5'])).stderr).toContain('add a unit');
  });

  it('exits 3 when the database cannot be reached, without printing the password', async () => {
    const port = await freePort();
    const run = await runCli(['locks', '--database-url', `postgres://someone:hunter2@127.0.0.1:${port}/nowhere`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot connect to the database at 127.0.0.1:${port}/nowhere`);
    expect(run.stderr).not.toContain('hunter2');
    const missing = await runCli(['locks', '--database-url', db.url.replace(/\/[^/]+$/, '/no_such_database')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
