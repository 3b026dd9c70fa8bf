/**
 * The connection a batch runs on: checked out of the pool for the whole batch (ledger check, source,
 * load, commit), named with the batch's `application_name` token so that a later attempt or the
 * cleanup can find it from any worker, and never handed back to the pool after a failure.
 */
import type pg from 'pg';
import { checkOut } from '../src/db/check-out.js';
import { queryRows } from '../src/db/queryable.js';
import { tagBatchSessionSql, untagBatchSessionSql } from './ingest-sql.js';

/**
 * Runs `fn` on a pooled connection named `token`. On success the connection gets its own name
 * back and returns to the pool (its empty, session-local staging tables with it: reused by the
 * next batch). On any failure, a cancellation included, it is closed instead: a connection whose
 * batch was cancelled or broken is not worth reusing, and its TEMP tables go with it.
 */
export async function withTaggedSession<T>(pool: pg.Pool, token: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await checkOut(pool);
  let failure: Error | undefined;
  try {
    await queryRows(client, tagBatchSessionSql(token));
    const result = await fn(client);
    await queryRows(client, untagBatchSessionSql);
    return result;
  } catch (error) {
    failure = new Error('temporal-pg: connection discarded after a failed batch', { cause: error });
    throw error;
  } finally {
    // A discarded connection is closed by the pool in the background; waiting for it means that once
    // the activity has failed, its session is gone (a retry or a cleanup never meets it).
    const closed = failure === undefined ? undefined : connectionClosed(client);
    client.release(failure);
    await closed;
  }
}

/** Resolves once `client`'s connection has ended (at once if it already had; after 5 s at most). */
function connectionClosed(client: pg.PoolClient): Promise<void> {
  if ((client as unknown as { _ended?: boolean })._ended === true) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS);
    client.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Longest wait (ms) for a discarded connection to close. */
const CLOSE_WAIT_MS = 5000;

