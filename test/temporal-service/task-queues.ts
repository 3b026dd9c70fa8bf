/**
 * Task queues and long-poll matching. A task waits in its queue until a poller takes it; a poll
 * waits until a task arrives, its call is cancelled, or the long-poll timeout passes (then it is
 * answered empty, which workers read as "poll again").
 *
 * A queued task is only a claim: `take` is asked at dispatch time to turn it into a response and
 * may decline (the activity was cancelled, the workflow closed, a newer attempt exists), in which
 * case the task is dropped. That keeps every queue free of bookkeeping when state changes.
 */
export type TaskKind = 'workflow' | 'activity';

export interface PollerInfo {
  identity: string;
}

export interface QueuedTask<Response> {
  /** Builds the response for this poller and records the task as started; undefined = stale. */
  take(poller: PollerInfo): Response | undefined;
}

interface WaitingPoll<Response> {
  poller: PollerInfo;
  resolve(response: Response | undefined): void;
}

interface Queue<Response> {
  tasks: QueuedTask<Response>[];
  polls: WaitingPoll<Response>[];
}

export class TaskQueues<Response = object> {
  private readonly queues = new Map<string, Queue<Response>>();
  private closed = false;

  constructor(private readonly longPollTimeoutMs: number) {}

  add(kind: TaskKind, name: string, task: QueuedTask<Response>): void {
    if (this.closed) return;
    const queue = this.queue(kind, name);
    const poll = queue.polls[0];
    if (!poll) {
      queue.tasks.push(task);
      return;
    }
    const response = task.take(poll.poller);
    // A stale task is dropped and the poller keeps waiting.
    if (response === undefined) return;
    queue.polls.shift();
    poll.resolve(response);
  }

  /** Waits for a task; resolves undefined on timeout, cancellation or shutdown. */
  poll(kind: TaskKind, name: string, poller: PollerInfo, signal: AbortSignal): Promise<Response | undefined> {
    const queue = this.queue(kind, name);
    while (queue.tasks.length > 0) {
      const response = queue.tasks.shift()!.take(poller);
      if (response !== undefined) return Promise.resolve(response);
    }
    if (this.closed || signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (response: Response | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      };
      const waiting: WaitingPoll<Response> = { poller, resolve: finish };
      const leave = () => {
        const index = queue.polls.indexOf(waiting);
        if (index >= 0) queue.polls.splice(index, 1);
        finish(undefined);
      };
      const onAbort = () => leave();
      const timer = setTimeout(leave, this.longPollTimeoutMs);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      queue.polls.push(waiting);
    });
  }

  /** Answers every poll waiting on one queue with "no task" (a worker shutting down). */
  releasePolls(kind: TaskKind, name: string): void {
    const queue = this.queues.get(`${kind}:${name}`);
    if (!queue) return;
    for (const poll of queue.polls.splice(0)) poll.resolve(undefined);
  }

  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) {
      for (const poll of queue.polls.splice(0)) poll.resolve(undefined);
      queue.tasks.length = 0;
    }
  }


  private queue(kind: TaskKind, name: string): Queue<Response> {
    const key = `${kind}:${name}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { tasks: [], polls: [] };
      this.queues.set(key, queue);
    }
    return queue;
  }
}
