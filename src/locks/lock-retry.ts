/**
 * Retry timing for statements that gave up waiting for a lock, as pgroll and reshape do it: a short
 * `lock_timeout` per attempt (so readers never queue behind us for longer than that), then an
 * exponentially growing, jittered pause during which they run freely. Shared by the in-place
 * migrations of the ingest and by force-execute's short attempts.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** SQLSTATEs after which the same step can simply be tried again: lock_not_available, deadlock_detected. */
export const LOCK_RETRY_SQLSTATES: ReadonlySet<string> = new Set(['55P03', '40P01']);

/** Backoff settings, in milliseconds. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Pause before attempt `attempt + 1` (attempt counts from 1): `initialMs · 2^(attempt-1)` capped at
 * `maxMs`, of which a random half is kept ("equal jitter"), so competing migrators spread out.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    // Node rejects with its own AbortError; callers expect the reason they aborted with.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
