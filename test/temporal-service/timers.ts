/**
 * Workflow timers: TimerStarted when the command arrives, TimerFired (plus a workflow task) when
 * it elapses, TimerCanceled when a command cancels it. A timer that fired while a workflow task
 * was running has its TimerFired event still buffered; cancelling it in that task drops the
 * buffered event and records the cancellation instead, as the real server does.
 */
import type { Engine } from './engine.js';
import type { Execution } from './execution.js';
import { durationMs, long, type temporal } from './proto.js';
import { deliver } from './workflow-tasks.js';

export function startTimer(
  engine: Engine,
  ex: Execution,
  attrs: temporal.api.command.v1.IStartTimerCommandAttributes,
  completedEventId: number,
): void {
  const timerId = attrs.timerId ?? '';
  const startedEventId = ex.history.append(
    'timerStartedEventAttributes',
    {
      timerId,
      startToFireTimeout: attrs.startToFireTimeout,
      workflowTaskCompletedEventId: long(completedEventId),
    },
    engine.clock.now(),
  );
  const handle = engine.clock.setTimer(durationMs(attrs.startToFireTimeout), () => {
    if (ex.timers.get(timerId)?.handle !== handle) return;
    ex.timers.delete(timerId);
    deliver(
      engine,
      ex,
      () =>
        ex.history.append(
          'timerFiredEventAttributes',
          { timerId, startedEventId: long(startedEventId) },
          engine.clock.now(),
        ),
      { timerId },
    );
  });
  ex.timers.set(timerId, { startedEventId, handle });
}

export function canCancelTimer(ex: Execution, timerId: string): boolean {
  return ex.timers.has(timerId) || ex.buffered.some((event) => event.timerId === timerId);
}

export function cancelTimer(
  engine: Engine,
  ex: Execution,
  timerId: string,
  completedEventId: number,
  identity: string,
): void {
  let startedEventId: number;
  const timer = ex.timers.get(timerId);
  if (timer) {
    timer.handle.cancel();
    ex.timers.delete(timerId);
    startedEventId = timer.startedEventId;
  } else {
    const index = ex.buffered.findIndex((event) => event.timerId === timerId);
    if (index < 0) return;
    ex.buffered.splice(index, 1);
    startedEventId = findTimerStartedEventId(ex, timerId);
  }
  ex.history.append(
    'timerCanceledEventAttributes',
    {
      timerId,
      startedEventId: long(startedEventId),
      workflowTaskCompletedEventId: long(completedEventId),
      identity,
    },
    engine.clock.now(),
  );
}

function findTimerStartedEventId(ex: Execution, timerId: string): number {
  for (let i = ex.history.events.length - 1; i >= 0; i--) {
    const event = ex.history.events[i]!;
    if (event.timerStartedEventAttributes?.timerId === timerId) return i + 1;
  }
  return 0;
}

/** Stops every timer of a run that closed. */
export function abandonTimers(ex: Execution): void {
  for (const timer of ex.timers.values()) timer.handle.cancel();
  ex.timers.clear();
}
