/**
 * Heartbeats from a timer, so an activity blocked in one long statement still reports progress,
 * hears cancellation (delivered only with a heartbeat's response) and is known to be alive.
 */
import type { Context } from '@temporalio/activity';

/**
 * How often (ms) details are handed to the SDK. It sends at most one heartbeat per throttle
 * interval (0.8 × the heartbeat timeout, capped by the worker's `maxHeartbeatThrottleInterval`)
 * and coalesces the rest, so handing them over often costs nothing and lets a cancellation through
 * as soon as the throttle allows.
 */
const BEAT_EVERY_MS = 200;

/** How often (ms) `refresh` runs: it queries the database. */
const REFRESH_EVERY_MS = 1000;

/** A running heartbeat timer. */
export interface Heartbeats {
  /** Stops the timer after a last heartbeat with the current details. */
  stop(): Promise<void>;
}

/**
 * Sends `details()` as a heartbeat now and then every {@link BEAT_EVERY_MS}. `refresh`, when
 * given, runs about every second before a heartbeat (e.g. to read who blocks the statement); its
 * failures are ignored, and it never runs twice at once.
 */
export function startHeartbeats(context: Context, details: () => unknown, refresh?: () => Promise<void>): Heartbeats {
  let refreshing: Promise<void> | undefined;
  let lastRefresh = Number.NEGATIVE_INFINITY;
  const beat = () => {
    if (refresh !== undefined && refreshing === undefined && performance.now() - lastRefresh >= REFRESH_EVERY_MS) {
      lastRefresh = performance.now();
      refreshing = refresh()
        .catch(() => undefined)
        .finally(() => {
          refreshing = undefined;
        });
    }
    context.heartbeat(details());
  };
  beat();
  const timer = setInterval(beat, BEAT_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await refreshing;
      context.heartbeat(details());
    },
  };
}
