/**
 * Heartbeats from a timer, so an activity blocked in one long statement still reports progress,
 * hears cancellation (delivered only with a heartbeat's response) and is known to be alive.
 */
import type { Context } from '@temporalio/activity';

/** Heartbeat at most this often (ms); the SDK throttles further, to 0.8 × the heartbeat timeout. */
const MAX_HEARTBEAT_EVERY_MS = 1000;

/** A running heartbeat timer. */
export interface Heartbeats {
  /** Stops the timer after a last heartbeat with the current details. */
  stop(): Promise<void>;
}

/**
 * Sends `details()` as a heartbeat now and then every second (or a third of the heartbeat timeout,
 * if shorter). `refresh`, when given, runs before each heartbeat (e.g. to read who blocks the
 * statement); its failures are ignored, and it never runs twice at once.
 */
export function startHeartbeats(context: Context, details: () => unknown, refresh?: () => Promise<void>): Heartbeats {
  const timeout = context.info.heartbeatTimeoutMs;
  const every = timeout ? Math.max(50, Math.min(MAX_HEARTBEAT_EVERY_MS, Math.floor(timeout / 3))) : MAX_HEARTBEAT_EVERY_MS;
  let refreshing: Promise<void> | undefined;
  const beat = () => {
    if (refresh !== undefined && refreshing === undefined) {
      refreshing = refresh()
        .catch(() => undefined)
        .finally(() => {
          refreshing = undefined;
        });
    }
    context.heartbeat(details());
  };
  beat();
  const timer = setInterval(beat, every);
  return {
    async stop() {
      clearInterval(timer);
      await refreshing;
      context.heartbeat(details());
    },
  };
}
