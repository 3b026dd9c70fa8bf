/**
 * `planSwap`: what a swap would carry, and whether it can happen at all, without changing anything.
 */
import type pg from 'pg';
import { inCatalogScope } from './catalog-scope.js';
import { captureSwap, normaliseRequest } from './capture.js';
import type { SwapPlan, SwapRequest } from './types.js';

/**
 * Captures everything bound to `request.target` (dependent views and materialized views
 * recursively, owner, privileges, comments, options, triggers, rules, policies, statistics,
 * sequences, publications) and checks that the swap can carry it to `request.replacement`.
 * Read-only: inside a transaction it runs in a savepoint of it, otherwise in a transaction of its
 * own. Call it once the (empty) replacement exists, so obstacles surface before it is filled;
 * `executeSwap` captures again under its locks.
 *
 * @throws SwapTableMissingError, SwapBlockedError (every obstacle at once), DependentViewBrokenError.
 */
export async function planSwap(client: pg.ClientBase, request: SwapRequest): Promise<SwapPlan> {
  const normalised = normaliseRequest(request);
  return inCatalogScope(client, false, () => captureSwap(client, normalised));
}
