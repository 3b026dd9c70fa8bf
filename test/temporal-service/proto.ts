/**
 * The protobuf root the SDK itself uses (`@temporalio/proto`), so requests decode into the same
 * message classes the client and worker build, plus the conversions every other file needs:
 * int64 fields are `Long`, durations and timestamps are `{ seconds, nanos }`.
 */
import protoRoot from '@temporalio/proto';
import type { google, temporal } from '@temporalio/proto';
import Long from 'long';

export type { google, temporal };

// The package is CommonJS with no statically detectable named exports: values come from the
// default export (the patched protobufjs root); the namespaces above are for types only.
export const root = protoRoot as unknown as ProtobufRoot;
export const api = protoRoot.temporal.api;
export const enums = api.enums.v1;
export const rpcStatus = protoRoot.google.rpc.Status;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type Payloads = temporal.api.common.v1.IPayloads;
export type Payload = temporal.api.common.v1.IPayload;
export type Failure = temporal.api.failure.v1.IFailure;
export type Header = temporal.api.common.v1.IHeader;
export type Memo = temporal.api.common.v1.IMemo;
export type SearchAttributes = temporal.api.common.v1.ISearchAttributes;
export type RetryPolicy = temporal.api.common.v1.IRetryPolicy;
export type WorkflowExecution = temporal.api.common.v1.IWorkflowExecution;
export type Duration = google.protobuf.IDuration;
export type Timestamp = google.protobuf.ITimestamp;

/** The subset of protobufjs' reflection API the gRPC layer uses. */
export interface ProtobufRoot {
  lookupService(name: string): {
    methods: Record<
      string,
      { requestType: string; responseType: string; requestStream?: boolean; responseStream?: boolean }
    >;
  };
  lookupType(name: string): MessageType;
}

export interface MessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
}

export function long(value: number): Long {
  return Long.fromNumber(value);
}

/** An int64 field as a number (ids, counts and seconds all stay far below 2^53). */
export function num(value: Long | number | string | null | undefined): number {
  if (value == null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/** Milliseconds of a protobuf duration; 0 when unset (which the API reads as "no timeout"). */
export function durationMs(duration: Duration | null | undefined): number {
  if (!duration) return 0;
  return num(duration.seconds) * 1000 + Math.floor((duration.nanos ?? 0) / 1e6);
}

export function msDuration(ms: number): Duration {
  const whole = Math.floor(ms);
  return { seconds: long(Math.floor(whole / 1000)), nanos: (whole % 1000) * 1e6 };
}

export function msTimestamp(ms: number): Timestamp {
  return { seconds: long(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}


