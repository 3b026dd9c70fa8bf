/**
 * Pure steps of the ingest state that the workflow computes itself (workflow-safe: type imports
 * only), between the activities that change the database.
 */
import type { BlockerReport } from '../locks/blockers.js';
import type { SwapWorkResult } from '../ingest/engine/swap-pending.js';
import type { IngestState } from '../ingest/engine/types.js';

/** The state once the swap committed (`result` `null`: an earlier attempt had). Pure. */
export function stateAfterSwap(state: IngestState, result: SwapWorkResult, run: { readonly blockers: readonly BlockerReport[]; readonly durationMs: number }): IngestState {
  return {
    ...state,
    pending: [],
    swapDue: false,
    tables: state.tables.map((progress, index) =>
      state.pending.includes(index) ? { ...progress, swapped: true, swap: result?.tables.find((table) => table.index === index)?.swap ?? progress.swap } : progress,
    ),
    blockers: [...state.blockers, ...run.blockers],
    swapMs: state.swapMs + run.durationMs,
  };
}
