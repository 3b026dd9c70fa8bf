/**
 * GetWorkflowExecutionHistory: pages of events (`fetchHistory`, core's cache-miss fetches), and
 * the long polls clients use: `waitNewEvent` for the next events, and with the CLOSE_EVENT filter
 * for the run's close event, which is how `result()` waits. A long poll that times out answers
 * with no events and a page token, and the client simply asks again.
 */
import type { Engine } from './engine.js';
import type { Execution } from './execution.js';
import { enums, type temporal } from './proto.js';
import { invalidArgument } from './rpc-error.js';

type HistoryRequest = temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
type HistoryResponse = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;

interface PageToken {
  runId: string;
  nextEventId: number;
}

const DEFAULT_PAGE_SIZE = 1000;

export async function getHistory(
  engine: Engine,
  request: HistoryRequest,
  signal: AbortSignal,
  longPollTimeoutMs: number,
): Promise<HistoryResponse> {
  const token = decodePageToken(request.nextPageToken);
  const workflowId = request.execution?.workflowId ?? '';
  const ex = engine.store.get(request.namespace, workflowId, token?.runId ?? request.execution?.runId);
  const waitUntil = engine.clock.now() + longPollTimeoutMs;
  const wait = async (done: () => boolean) => {
    while (!done() && !signal.aborted && engine.clock.now() < waitUntil) {
      await ex.history.waitForChange(signal, waitUntil - engine.clock.now());
    }
  };

  if (request.historyEventFilterType === enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT) {
    if (request.waitNewEvent) await wait(() => !ex.isRunning);
    if (ex.isRunning) return { history: { events: [] }, nextPageToken: encodePageToken(ex, ex.history.nextEventId) };
    return { history: { events: [ex.history.events.at(-1)!] } };
  }

  const from = token?.nextEventId ?? 1;
  if (request.waitNewEvent) await wait(() => ex.history.events.length >= from || !ex.isRunning);
  const pageSize = request.maximumPageSize > 0 ? request.maximumPageSize : DEFAULT_PAGE_SIZE;
  const events = ex.history.events.slice(from - 1, from - 1 + pageSize);
  const next = from + events.length;
  const more = next <= ex.history.events.length || (request.waitNewEvent && ex.isRunning);
  return { history: { events }, nextPageToken: more ? encodePageToken(ex, next) : undefined };
}

function encodePageToken(ex: Execution, nextEventId: number): Uint8Array {
  return Buffer.from(JSON.stringify({ runId: ex.runId, nextEventId } satisfies PageToken));
}

function decodePageToken(bytes: Uint8Array | null | undefined): PageToken | undefined {
  if (!bytes?.length) return undefined;
  try {
    const token = JSON.parse(Buffer.from(bytes).toString('utf8')) as PageToken;
    if (typeof token.runId === 'string' && Number.isInteger(token.nextEventId)) return token;
  } catch {
    // fall through
  }
  throw invalidArgument('malformed history page token');
}
