/**
 * Finding force-execute's statement backends by their `application_name` token, from any
 * connection: how the Temporal watcher activity finds the statement it protects (possibly running
 * on another worker), and how a retried statement attempt ends the backends earlier attempts left
 * behind (a worker that died mid-statement leaves its statement queued in PostgreSQL).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, type Queryable } from '../db/queryable.js';
import { terminateBackends } from '../locks/signal-backends.js';
import { backendsWithTokenSql } from './sql.js';

/** A backend carrying a token of the prefix, with the attempt number that follows the prefix. */
export interface TokenBackend {
  readonly pid: number;
  readonly applicationName: string;
  /** The attempt number after the prefix, or null when what follows is not a number. */
  readonly attempt: number | null;
}

/** Every backend of the current database whose `application_name` starts with `prefix`. */
export async function findTokenBackends(db: Queryable, prefix: string): Promise<TokenBackend[]> {
  const rows = await queryRows<{ pid: number; application_name: string }>(db, backendsWithTokenSql(prefix));
  return rows.map((row) => {
    const suffix = row.application_name.slice(prefix.length);
    return { pid: row.pid, applicationName: row.application_name, attempt: /^\d+$/.test(suffix) ? Number(suffix) : null };
  });
}

/** The pid of the backend with the highest attempt of `prefix`, if any runs now. */
export async function latestTokenBackend(db: Queryable, prefix: string): Promise<number | undefined> {
  let latest: TokenBackend | undefined;
  for (const backend of await findTokenBackends(db, prefix)) {
    if (backend.attempt !== null && (latest === undefined || backend.attempt > (latest.attempt ?? 0))) latest = backend;
  }
  return latest?.pid;
}

/**
 * Terminates every backend of `prefix` other than `token`'s and waits (at most `timeoutMs`,
 * default 10 s) until they are gone, so their locks are released before the new attempt queues.
 * Returns the pids terminated.
 */
export async function endEarlierAttempts(db: Queryable, prefix: string, token: string, timeoutMs = 10_000): Promise<number[]> {
  const earlier = (await findTokenBackends(db, prefix)).filter((backend) => backend.applicationName !== token).map((backend) => backend.pid);
  if (earlier.length === 0) return [];
  await terminateBackends(db, earlier);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const alive = new Set((await findTokenBackends(db, prefix)).map((backend) => backend.pid));
    if (!earlier.some((pid) => alive.has(pid))) break;
    await sleep(50);
  }
  return earlier;
}
