import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InvalidLockArgumentError, TransactionAbortedError, withLockTimeout, withStatementTimeout } from '../../../src/index.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();

async function setting(client: pg.ClientBase, name = 'lock_timeout'): Promise<string> {
  const { rows } = await client.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
  return rows[0]!.v;
}

describe('withLockTimeout', () => {
  it('nests and restores each level exactly', async () => {
    const client = await db.client();
    await client.query(`SET lock_timeout = '3s'`);
    const seen: string[] = [];
    const result = await withLockTimeout(client, 1000, async () => {
      seen.push(await setting(client));
      await withLockTimeout(client, 2500, async () => {
        seen.push(await setting(client));
        await withLockTimeout(client, 0, async () => seen.push(await setting(client)));
        seen.push(await setting(client));
      });
      seen.push(await setting(client));
      return 'value';
    });
    expect(result).toBe('value');
    expect(seen).toEqual(['1s', '2500ms', '0', '2500ms', '1s']);
    expect(await setting(client)).toBe('3s');
    await client.end();
  });

  it('restores when the function throws', async () => {
    const client = await db.client();
    await client.query(`SET lock_timeout = '42ms'`);
    const error = new Error('body');
    await expect(withLockTimeout(client, 5000, () => Promise.reject(error))).rejects.toBe(error);
    expect(await setting(client)).toBe('42ms');
    await client.end();
  });

  it('keeps a role default instead of resetting to 0 as the Python peers do', async () => {
    const role = await db.createRole('with_default');
    await db.pool.query(`ALTER ROLE "${role.name}" SET lock_timeout = '4s'`);
    const client = await db.client({ url: role.url });
    expect(await setting(client)).toBe('4s');
    await withLockTimeout(client, 100, async () => expect(await setting(client)).toBe('100ms'));
    expect(await setting(client)).toBe('4s');
    await client.end();
  });

  it('inside a transaction: restored after success, undone by the rollback after a failure', async () => {
    const client = await db.client();
    await client.query(`SET lock_timeout = '9s'`);
    await client.query('BEGIN');
    await withLockTimeout(client, 250, async () => expect(await setting(client)).toBe('250ms'));
    expect(await setting(client)).toBe('9s');
    const failure = withLockTimeout(client, 250, async () => {
      await client.query('SELECT 1/0');
    });
    await expect(failure).rejects.toThrow('division by zero');
    await client.query('ROLLBACK');
    expect(await setting(client)).toBe('9s');
    // A SET LOCAL value of the caller is the previous value inside, and gone after its commit.
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = '5s'`);
    await withLockTimeout(client, 100, () => undefined);
    expect(await setting(client)).toBe('5s');
    await client.query('COMMIT');
    expect(await setting(client)).toBe('9s');
    await client.end();
  });

  it('is left alone when the function ends the transaction itself', async () => {
    const client = await db.client();
    await client.query(`SET lock_timeout = '8s'`);
    await client.query('BEGIN');
    await withLockTimeout(client, 100, async (c) => {
      await c.query('COMMIT');
    });
    expect(await setting(client)).toBe('8s');
    await client.end();
  });

  it('bounds a real lock wait', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS timeout_target (x int)');
    const holder = await db.client();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE timeout_target IN ACCESS EXCLUSIVE MODE');
    const client = await db.client();
    const started = Date.now();
    const error = await withLockTimeout(client, 200, () => client.query('SELECT * FROM timeout_target')).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('55P03');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await setting(client)).toBe('0');
    await holder.query('ROLLBACK');
    await Promise.all([holder.end(), client.end()]);
  });

  it('refuses bad input and aborted transactions with typed errors', async () => {
    const client = await db.client();
    for (const bad of [-1, Number.NaN, Infinity, 2 ** 31]) {
      await expect(withLockTimeout(client, bad, () => 1)).rejects.toBeInstanceOf(InvalidLockArgumentError);
    }
    await expect(withLockTimeout(db.pool as never, 100, () => 1)).rejects.toThrow(/needs a connected client, not a pool/);
    await client.query('BEGIN');
    await client.query('SELECT 1/0').catch(() => undefined);
    await expect(withLockTimeout(client, 100, () => 1)).rejects.toBeInstanceOf(TransactionAbortedError);
    await client.query('ROLLBACK');
    await client.end();
  });
});

describe('withStatementTimeout', () => {
  it('cancels a slow statement and restores the previous value', async () => {
    const client = await db.client();
    await client.query(`SET statement_timeout = '1min'`);
    const started = Date.now();
    const error = await withStatementTimeout(client, 200, () => client.query('SELECT pg_sleep(5)')).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('57014');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await setting(client, 'statement_timeout')).toBe('1min');
    const nested = await withStatementTimeout(client, 3000, () =>
      withStatementTimeout(client, 1500, async () => setting(client, 'statement_timeout')),
    );
    expect(nested).toBe('1500ms');
    expect(await setting(client, 'statement_timeout')).toBe('1min');
    await client.end();
  });
});
