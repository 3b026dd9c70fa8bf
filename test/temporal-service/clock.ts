/**
 * Time for the service: the current time and cancellable timers (timer commands, activity and
 * workflow-task timeouts, retry backoff, run timeouts). All timers are tracked so shutdown can
 * clear them, and unref'd so a forgotten one never keeps a process alive.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `delayMs`; an error thrown by `fn` is reported through `onError`. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Cancels every pending timer. */
  dispose(): void;
}

// setTimeout cannot wait longer than 2^31-1 ms; a longer "timeout" (hours, days) is re-armed.
const MAX_DELAY_MS = 2 ** 31 - 1;

export function realClock(onError: (err: unknown) => void): Clock {
  const pending = new Set<NodeJS.Timeout>();
  let disposed = false;
  return {
    now: () => Date.now(),
    setTimer(delayMs, fn) {
      let handle: NodeJS.Timeout | undefined;
      const due = Date.now() + Math.max(0, delayMs);
      const arm = () => {
        if (disposed) return;
        const wait = Math.min(Math.max(0, due - Date.now()), MAX_DELAY_MS);
        handle = setTimeout(() => {
          pending.delete(handle!);
          if (Date.now() < due) return arm();
          try {
            fn();
          } catch (err) {
            onError(err);
          }
        }, wait);
        handle.unref();
        pending.add(handle);
      };
      arm();
      return {
        cancel() {
          if (handle) {
            clearTimeout(handle);
            pending.delete(handle);
          }
          handle = undefined;
        },
      };
    },
    dispose() {
      disposed = true;
      for (const handle of pending) clearTimeout(handle);
      pending.clear();
    },
  };
}
