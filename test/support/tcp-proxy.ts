/**
 * A loopback TCP proxy for fault injection: clients connect to the proxy, which forwards to the real
 * server. Tests can cut every open connection (as a dropped network would: both sides see the socket
 * die), refuse new ones for a while, and count what passed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections currently open. */
  readonly open: number;
  /** Rewrites a connection string so it goes through the proxy. */
  rewrite(url: string): string;
  /** Destroys every open connection (both directions). New connections are still accepted. */
  cutAll(): void;
  /** While refusing, new connections are destroyed at once (as if the server were unreachable). */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let refusing = false;

  const server: Server = createServer((downstream) => {
    accepted++;
    if (refusing) {
      downstream.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [downstream, upstream];
    pairs.add(pair);
    const teardown = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    // Errors are the point of this proxy; they only end the pair.
    downstream.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('tcp proxy: no address');

  const cutAll = (): void => {
    for (const [downstream, upstream] of [...pairs]) {
      // resetAndDestroy sends RST like a broken network path rather than a polite FIN.
      downstream.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    pairs.clear();
  };

  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    rewrite(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    cutAll,
    refuse(value) {
      refusing = value;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
