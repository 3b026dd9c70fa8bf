import { describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { useTestDatabase } from '../helpers/database.js';

const db = useTestDatabase();

describe('fault-injection TCP proxy', () => {
  it('forwards queries, cuts live connections, and refuses new ones on demand', async () => {
    const target = new URL(db.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    try {
      const client = await db.client({ url: proxy.rewrite(db.url) });
      const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
      expect(proxy.open).toBe(1);

      proxy.cutAll();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      await client.end();

      proxy.refuse(true);
      await expect(db.client({ url: proxy.rewrite(db.url) })).rejects.toThrow();
      proxy.refuse(false);
      const again = await db.client({ url: proxy.rewrite(db.url) });
      expect((await again.query('SELECT 2 AS two')).rows[0]).toEqual({ two: 2 });
      await again.end();
      expect(proxy.accepted).toBe(3);
    } finally {
      await proxy.close();
    }
  });
});
