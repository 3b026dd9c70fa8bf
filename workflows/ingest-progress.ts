/**
 * What an ingest workflow run knows about its progress: the answer to the `ingestProgress` query,
 * and what it hands the next run when it continues as new (so the answer carries across runs).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { IngestPlan, IngestState } from '../src/ingest/engine/types.js';
import type { IngestContinuation, IngestPhase, IngestProgressSnapshot } from '../src/shared/ingest.js';

/** The progress of one run, mutated by the workflow as it goes. */
export class IngestTracker {
  phase: IngestPhase;
  plan: IngestPlan | undefined;
  state: IngestState | undefined;
  /** The batch whose activity runs now. */
  batchInFlight: number | null = null;
  /** Batch activities completed by this run. */
  batchesThisRun = 0;
  recoveredBatches: number;
  readonly run: number;
  /** Epoch milliseconds (workflow time) at which the first run started. */
  readonly startedAt: number;

  constructor(continuation: IngestContinuation | undefined) {
    this.plan = continuation?.plan;
    this.state = continuation?.state;
    this.phase = continuation === undefined ? 'planning' : 'loading';
    this.recoveredBatches = continuation?.recoveredBatches ?? 0;
    this.run = continuation?.run ?? 1;
    this.startedAt = continuation?.startedAt ?? Date.now();
  }

  snapshot(): IngestProgressSnapshot {
    const state = this.state;
    return {
      phase: this.phase,
      ingestId: this.plan?.ingestId ?? null,
      batches: state?.batches ?? 0,
      rows: state?.rows ?? 0,
      bytes: state?.bytes ?? 0,
      highWatermark: state?.highWatermark ?? null,
      batchInFlight: this.batchInFlight,
      recoveredBatches: this.recoveredBatches,
      run: this.run,
      runId: workflowInfo().runId,
      batchesThisRun: this.batchesThisRun,
      startedAt: new Date(this.startedAt).toISOString(),
      tables: (state?.tables ?? []).map(({ table, migration, rows, swapped }) => ({ table, migration, rows, swapped })),
      blockers: state?.blockers.length ?? 0,
    };
  }

  /** What the next run starts from. */
  continuation(plan: IngestPlan, state: IngestState): IngestContinuation {
    return { plan, state, startedAt: this.startedAt, run: this.run + 1, recoveredBatches: this.recoveredBatches };
  }
}
