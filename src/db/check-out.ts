/**
 * Borrowing a connection from a pool safely. pg-pool listens for a connection's `'error'` only
 * while it is idle; a client that is checked out and whose connection dies between two queries
 * (the backend terminated, the server restarted, the network cut) emits `'error'` with nobody
 * listening, which Node turns into an uncaught exception that kills the process — a worker, with
 * every activity it runs. While we hold a client, the failure must reach the next query instead.
 */
import type pg from 'pg';

/**
 * `pool.connect()`, with an `'error'` listener for as long as the client is out: a dead connection
 * makes the next query fail (`Client has encountered a connection error and is not queryable`)
 * instead of crashing the process. `release()` removes the listener again.
 */
export async function checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  client.on('error', ignoreWhileCheckedOut);
  const release = client.release;
  client.release = (error?: Error | boolean) => {
    client.removeListener('error', ignoreWhileCheckedOut);
    client.release = release;
    release.call(client, error);
  };
  return client;
}

function ignoreWhileCheckedOut(): void {}
