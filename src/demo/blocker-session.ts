/**
 * The demo's "dashboard": a session that reads a table inside a transaction and then sits idle in
 * it, holding ACCESS SHARE until it ends — what a forgotten BI tab or a long report does to a swap.
 */
import pg from 'pg';
import { quoteQualified, type QualifiedName } from '../sql/identifier.js';

export interface BlockerSession {
  readonly pid: number;
  readonly applicationName: string;
  /** Resolves with the error that ended the session from the server's side (e.g. a termination). */
  readonly ended: Promise<Error | undefined>;
  /** Whether the server ended the session (rather than {@link close}). */
  readonly terminated: () => boolean;
  /** Ends the session if it is still open. Idempotent. */
  close(): Promise<void>;
}

/** Opens the session and takes its lock: `BEGIN; SELECT count(*) FROM table;` then idle. */
export async function openBlockerSession(connectionString: string, table: QualifiedName, applicationName: string): Promise<BlockerSession> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  let terminatedBy: Error | undefined;
  let closed = false;
  const ended = new Promise<Error | undefined>((resolve) => {
    client.on('error', (error) => {
      terminatedBy = error;
      resolve(error);
    });
    client.on('end', () => resolve(terminatedBy));
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await client.query('BEGIN');
    await client.query(`SELECT count(*) FROM ${quoteQualified(table)}`);
    return {
      pid: rows[0]!.pid,
      applicationName,
      ended,
      terminated: () => terminatedBy !== undefined,
      async close() {
        if (closed) return;
        closed = true;
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
