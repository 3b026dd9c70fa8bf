import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';

const db = useTestDatabase();

describe('test harness', () => {
  it('connects to a real PostgreSQL in a database of its own', async () => {
    const { rows } = await db.pool.query<{ db: string; v: string }>(
      `SELECT current_database() AS db, current_setting('server_version_num') AS v`,
    );
    expect(rows[0]?.db).toBe(db.name);
    expect(Math.floor(Number(rows[0]?.v) / 10000)).toBe(db.major);
  });

  it('creates non-superuser roles that can log in', async () => {
    const role = await db.createRole('plain');
    const client = await db.client({ url: role.url });
    const { rows } = await client.query<{ su: string }>(`SELECT current_setting('is_superuser') AS su`);
    expect(rows[0]?.su).toBe('off');
    await client.end();
  });
});
