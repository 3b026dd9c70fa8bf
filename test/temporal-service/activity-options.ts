/**
 * The options of a ScheduleActivityTask command as the real server checks and completes them:
 * a start-to-close or schedule-to-close timeout is required, the others are derived from them and
 * capped by the run timeout (0 = none).
 */
import { durationMs, type temporal } from './proto.js';

type ScheduleAttributes = temporal.api.command.v1.IScheduleActivityTaskCommandAttributes;

export function validateScheduleActivity(attrs: ScheduleAttributes): string | undefined {
  if (!attrs.activityId) return 'ActivityId is not set on command';
  if (!attrs.activityType?.name) return 'ActivityType is not set on command';
  if (durationMs(attrs.scheduleToCloseTimeout) <= 0 && durationMs(attrs.startToCloseTimeout) <= 0) {
    return 'A valid StartToClose or ScheduleToCloseTimeout is not set on command';
  }
  return undefined;
}

/** Timeouts as the real server completes them; 0 means "none". */
export function resolveTimeouts(attrs: ScheduleAttributes, runTimeoutMs: number) {
  let scheduleToClose = durationMs(attrs.scheduleToCloseTimeout);
  let scheduleToStart = durationMs(attrs.scheduleToStartTimeout);
  let startToClose = durationMs(attrs.startToCloseTimeout);
  let heartbeat = durationMs(attrs.heartbeatTimeout);
  if (scheduleToClose > 0) {
    scheduleToStart = scheduleToStart > 0 ? Math.min(scheduleToStart, scheduleToClose) : scheduleToClose;
    startToClose = startToClose > 0 ? Math.min(startToClose, scheduleToClose) : scheduleToClose;
  } else {
    scheduleToClose = runTimeoutMs;
    if (scheduleToStart <= 0) scheduleToStart = runTimeoutMs;
  }
  const cap = (ms: number) => (runTimeoutMs > 0 && (ms === 0 || ms > runTimeoutMs) ? runTimeoutMs : ms);
  scheduleToClose = cap(scheduleToClose);
  scheduleToStart = cap(scheduleToStart);
  startToClose = cap(startToClose);
  if (heartbeat > 0) heartbeat = cap(heartbeat);
  if (scheduleToClose > 0 && heartbeat > scheduleToClose) heartbeat = scheduleToClose;
  return { scheduleToClose, scheduleToStart, startToClose, heartbeat };
}
