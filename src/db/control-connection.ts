/**
 * A second, short-lived connection to the same server as a pool or a client: what cancels a
 * statement (`pg_cancel_backend`) or terminates a blocker while the first connection is busy. A
 * pool may have no idle connection left, and a single client certainly has none, so it is always
 * a connection of its own.
 */
import pg from 'pg';
import { signalBackendSql } from '../locks/sql.js';
import { isPool, queryRows, type Queryable } from './queryable.js';

/** The fields node-postgres keeps of how a client connected (`client.connectionParameters`). */
interface ConnectionParameters {
  readonly user?: string;
  readonly password?: pg.ClientConfig['password'];
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly ssl?: pg.ClientConfig['ssl'];
  readonly options?: string;
  readonly client_encoding?: string;
}

/** How to open a connection like the ones `db` uses, under `applicationName`. */
export function controlConnectionConfig(db: Queryable, applicationName: string): pg.ClientConfig {
  if (isPool(db)) return { ...(db.options as pg.ClientConfig), application_name: applicationName };
  const parameters = (db as pg.ClientBase & { connectionParameters?: ConnectionParameters }).connectionParameters ?? {};
  const config: pg.ClientConfig = { application_name: applicationName };
  if (parameters.user !== undefined) config.user = parameters.user;
  if (parameters.password !== undefined) config.password = parameters.password;
  if (parameters.host !== undefined) config.host = parameters.host;
  if (parameters.port !== undefined) config.port = parameters.port;
  if (parameters.database !== undefined) config.database = parameters.database;
  if (parameters.ssl !== undefined) config.ssl = parameters.ssl;
  if (parameters.options !== undefined) config.options = parameters.options;
  return config;
}

/** Opens a connection like the ones `db` uses. The caller ends it. */
export async function openControlConnection(db: Queryable, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client(controlConnectionConfig(db, applicationName));
  // A dead control connection must not crash the process; its query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Cancels the running statement of backend `pid` from a connection of its own; best effort. */
export async function cancelBackendStatement(db: Queryable, pid: number, applicationName = 'temporal-pg cancel'): Promise<void> {
  let control: pg.Client | undefined;
  try {
    control = await openControlConnection(db, applicationName);
    await queryRows(control, signalBackendSql(pid, 'cancel'));
  } catch {
    // Nothing more to do: the statement then runs to its end and the abort is seen right after.
  } finally {
    await control?.end().catch(() => undefined);
  }
}
