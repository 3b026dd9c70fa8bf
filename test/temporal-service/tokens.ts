/**
 * Task tokens: opaque bytes to the worker, a small JSON record to us. A token names exactly one
 * attempt of one task, so a completion for an older attempt (after a timeout or retry) no longer
 * matches and gets NOT_FOUND, as on the real server.
 */
import { invalidArgument } from './rpc-error.js';

export interface RunRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

export type TaskToken =
  | (RunRef & { kind: 'workflow'; sequence: number })
  | (RunRef & { kind: 'activity'; scheduledEventId: number; attempt: number })
  | { kind: 'query'; queryId: string };

export function encodeToken(token: TaskToken): Uint8Array {
  return Buffer.from(JSON.stringify(token));
}

export function decodeToken<K extends TaskToken['kind']>(
  bytes: Uint8Array | null | undefined,
  kind: K,
): Extract<TaskToken, { kind: K }> {
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
  } catch {
    throw invalidArgument('malformed task token');
  }
  if (typeof token !== 'object' || token === null || (token as { kind?: unknown }).kind !== kind) {
    throw invalidArgument(`task token is not a ${kind} task token`);
  }
  return token as Extract<TaskToken, { kind: K }>;
}
