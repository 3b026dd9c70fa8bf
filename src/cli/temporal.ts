/**
 * Where a command finds Temporal: `--address` / `TEMPORAL_ADDRESS` (default `localhost:7233`),
 * `--namespace` / `TEMPORAL_NAMESPACE` (default `default`), `--task-queue` / `TEMPORAL_TASK_QUEUE`
 * (default `temporal-pg`). A server that does not answer becomes exit code 4.
 */
import type { Client, Connection } from '@temporalio/client';
import { TemporalUnreachableError, type CliIo } from './io.js';

/** The task queue the CLI's worker polls and its `ingest` / `force-execute --temporal` use by default. */
export const DEFAULT_TASK_QUEUE = 'temporal-pg';

/** Flags every Temporal command takes (for `parseFlags`). */
export const TEMPORAL_FLAGS = {
  address: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
} as const;

/** Help lines for {@link TEMPORAL_FLAGS}. */
export const TEMPORAL_HELP = `Temporal:
  --address <host:port>       default: TEMPORAL_ADDRESS, else localhost:7233
  --namespace <name>          default: TEMPORAL_NAMESPACE, else default
  --task-queue <name>         default: TEMPORAL_TASK_QUEUE, else ${DEFAULT_TASK_QUEUE}`;

export interface TemporalTarget {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
}

/** Flags first, then the environment, then the defaults. */
export function temporalTarget(flags: { address?: string; namespace?: string; 'task-queue'?: string }, io: CliIo): TemporalTarget {
  return {
    address: flags.address ?? (io.env.TEMPORAL_ADDRESS || 'localhost:7233'),
    namespace: flags.namespace ?? (io.env.TEMPORAL_NAMESPACE || 'default'),
    taskQueue: flags['task-queue'] ?? (io.env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE),
  };
}

/** How long to wait for the server to answer the first call. */
const CONNECT_TIMEOUT = '5s';

/** Connects a client, runs `fn`, closes the connection. */
export async function withTemporalClient<T>(target: TemporalTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  // Loaded here: commands that never reach Temporal (force-execute without --temporal, ingest --check) skip the SDK's gRPC stack.
  const { Client, Connection } = await import('@temporalio/client');
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: target.address, connectTimeout: CONNECT_TIMEOUT });
  } catch (error) {
    throw new TemporalUnreachableError(`cannot reach Temporal at ${target.address}: ${(error as Error).message || String(error)}`, { cause: error });
  }
  try {
    return await fn(new Client({ connection, namespace: target.namespace }));
  } finally {
    await connection.close();
  }
}

/**
 * A workflow failure as one line: the messages down the cause chain (workflow → activity →
 * application failure), with the failure type of the innermost one.
 */
export function describeTemporalFailure(error: unknown): string {
  const messages: string[] = [];
  let type: string | undefined;
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current.message && !messages.includes(current.message)) messages.push(current.message);
    const failureType = (current as { type?: unknown }).type;
    if (typeof failureType === 'string' && failureType) type = failureType;
  }
  const text = messages.join(': ') || String(error);
  return type ? `${text} (${type})` : text;
}
