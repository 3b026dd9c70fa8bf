/**
 * One run's event history: assigns event ids and times, derives the event type from the
 * attributes field, and wakes long polls waiting for new events.
 */
import { api, enums, long, msTimestamp, type temporal, type HistoryEvent } from './proto.js';

export type AttributeKey = Extract<keyof HistoryEvent, `${string}EventAttributes`>;
export type EventAttributes<K extends AttributeKey> = NonNullable<HistoryEvent[K]>;

const EventType = enums.EventType;

/** `activityTaskScheduledEventAttributes` → `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED`. */
export function eventTypeOf(key: AttributeKey): temporal.api.enums.v1.EventType {
  const name = `EVENT_TYPE_${key
    .replace(/EventAttributes$/, '')
    .replace(/([A-Z])/g, '_$1')
    .toUpperCase()}` as keyof typeof EventType;
  const value = EventType[name];
  if (value === undefined) throw new Error(`no event type for ${key}`);
  return value;
}

export function buildEvent<K extends AttributeKey>(
  eventId: number,
  key: K,
  attributes: EventAttributes<K>,
  timeMs: number,
): HistoryEvent {
  return {
    eventId: long(eventId),
    eventTime: msTimestamp(timeMs),
    eventType: eventTypeOf(key),
    taskId: long(eventId),
    [key]: attributes,
  };
}

export class History {
  readonly events: HistoryEvent[] = [];
  /** Encoded size of the events, which workers see as `workflowInfo().historySize`. */
  sizeBytes = 0;
  private readonly waiters = new Set<() => void>();

  /** Id the next appended event gets. */
  get nextEventId(): number {
    return this.events.length + 1;
  }

  append<K extends AttributeKey>(key: K, attributes: EventAttributes<K>, timeMs: number): number {
    const id = this.nextEventId;
    this.push(buildEvent(id, key, attributes, timeMs));
    this.changed();
    return id;
  }

  /** Appends events built earlier (a transient workflow task that completed). */
  appendBuilt(events: HistoryEvent[]): void {
    for (const event of events) this.push(event);
    this.changed();
  }

  private push(event: HistoryEvent): void {
    this.events.push(event);
    this.sizeBytes += api.history.v1.HistoryEvent.encode(event).finish().length;
  }

  event(id: number): HistoryEvent | undefined {
    return this.events[id - 1];
  }

  /** Wakes every long poll waiting on this history (new event or the run closed). */
  changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the next change, on abort, or after `timeoutMs`. */
  waitForChange(signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
