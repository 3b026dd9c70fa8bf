/**
 * `planSwap`: what a swap would carry, and whether it can happen at all, without changing anything.
 */
import type pg from 'pg';
import { checkOut } from '../../db/check-out.js';
import { inCatalogScope } from './catalog-scope.js';
import { captureSwap, normaliseRequest } from './capture.js';
import type { SwapPlan, SwapRequest } from './types.js';

/**
 * Captures everything bound to `request.target` (dependent views and materialized views
 * recursively, owner, privileges, comments, options, triggers, rules, policies, statistics,
 * sequences, publications) and checks that the swap can carry it to `request.replacement`.
 * Read-only: on a client inside a transaction it runs in a savepoint of it, otherwise in a
 * transaction of its own (on a pool, on a client of its own). Call it once the (empty) replacement
 * exists, so obstacles surface before it is filled; `executeSwap` captures again.
 *
 * @throws SwapTableMissingError, SwapBlockedError (every obstacle at once), DependentViewBrokenError.
 */
export async function planSwap(db: pg.ClientBase | pg.Pool, request: SwapRequest): Promise<SwapPlan> {
  const normalised = normaliseRequest(request);
  if (!isPool(db)) return inCatalogScope(db, false, () => captureSwap(db, normalised));
  const client = await checkOut(db);
  try {
    return await inCatalogScope(client, false, () => captureSwap(client, normalised));
  } finally {
    client.release();
  }
}

function isPool(db: pg.ClientBase | pg.Pool): db is pg.Pool {
  return 'totalCount' in db && typeof (db as pg.Pool).connect === 'function';
}
