/**
 * A TCP proxy in front of the file's database for the whole file (started before its tests, closed
 * after them), through which a test's pool reaches PostgreSQL when the test cuts the network.
 */
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase } from '../../helpers/database.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

/** Returns the proxy (available from `beforeAll` on); `proxy().rewrite(db.url)` is the database through it. */
export function useDatabaseProxy(db: TestDatabase): () => TcpProxy {
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    const url = new URL(db.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  });
  afterAll(async () => {
    await proxy?.close();
  });
  return () => {
    if (!proxy) throw new Error('the database proxy is only available inside tests');
    return proxy;
  };
}
