/**
 * The table comment that stores the high watermark, in pg-bulk-ingest's format, plus our ledger:
 *
 *   {"pg-bulk-ingest": {"high-watermark": <JSON>}, "temporal-pg": {"ingest": "<id>", "batch": 3, "rows": 30000}}
 *
 * Other keys of the object (someone's own notes, other tools) are kept as they are. A comment that
 * is not a JSON object is refused rather than overwritten. Pure functions.
 */
import { canonicalJson, type JsonValue } from '../../locks/advisory-key.js';
import { InvalidBatchError, InvalidTableCommentError } from './errors.js';

/** The key pg-bulk-ingest writes its watermark under. */
export const PEER_KEY = 'pg-bulk-ingest';
/** The watermark's key inside {@link PEER_KEY}. */
export const WATERMARK_KEY = 'high-watermark';
/** Our key: which ingest wrote the last batch. */
export const LEDGER_KEY = 'temporal-pg';

/** What this package records with every batch, next to the watermark. */
export interface Ledger {
  /** The ingest that committed the batch (`IngestPlan.ingestId`). */
  readonly ingest: string;
  /** Its number within that ingest, from 1. */
  readonly batch: number;
  /** Rows that ingest had loaded after the batch (all tables). */
  readonly rows: number;
}

/** A parsed table comment. */
export interface TableComment {
  /** The whole comment object (an empty object for no comment). */
  readonly object: Readonly<Record<string, JsonValue>>;
  /** Whether a watermark is stored (a stored `null` counts). */
  readonly hasWatermark: boolean;
  /** The stored watermark, `null` when none. */
  readonly watermark: JsonValue;
  /** Our ledger, when a well-formed one is stored. */
  readonly ledger: Ledger | null;
}

/**
 * Parses the comment of `table` (as `obj_description` returns it; `null` or empty when none).
 *
 * @throws InvalidTableCommentError when the comment is not a JSON object, or its `pg-bulk-ingest` or
 *   `temporal-pg` entry is not an object.
 */
export function parseTableComment(text: string | null, table: string): TableComment {
  if (text === null || text.trim() === '') return { object: {}, hasWatermark: false, watermark: null, ledger: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse(table, text, 'is not JSON');
  }
  if (!isPlainObject(value)) throw refuse(table, text, `is JSON but not an object (${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value})`);
  const object = value as Record<string, JsonValue>;
  const peer = object[PEER_KEY];
  if (peer !== undefined && !isPlainObject(peer)) throw refuse(table, text, `has a "${PEER_KEY}" entry that is not an object`);
  const ours = object[LEDGER_KEY];
  if (ours !== undefined && !isPlainObject(ours)) throw refuse(table, text, `has a "${LEDGER_KEY}" entry that is not an object`);
  const hasWatermark = peer !== undefined && Object.hasOwn(peer, WATERMARK_KEY);
  return {
    object,
    hasWatermark,
    watermark: hasWatermark ? ((peer as Record<string, JsonValue>)[WATERMARK_KEY] ?? null) : null,
    ledger: ours === undefined ? null : toLedger(ours as Record<string, JsonValue>),
  };
}

/**
 * The comment text after a batch: `previous` with the watermark and our ledger replaced, every
 * other key kept (so is anything else pg-bulk-ingest keeps next to its watermark).
 */
export function commentWithBatch(previous: Readonly<Record<string, JsonValue>>, watermark: JsonValue, ledger: Ledger): string {
  const peer = previous[PEER_KEY];
  return JSON.stringify({
    ...previous,
    [PEER_KEY]: { ...(isPlainObject(peer) ? (peer as Record<string, JsonValue>) : {}), [WATERMARK_KEY]: watermark },
    [LEDGER_KEY]: { ...ledger },
  });
}

/** The comment of a fresh table of another than the first table: only says whose it is. */
export function freshTableMarker(ingest: string, batch: number): string {
  return JSON.stringify({ [LEDGER_KEY]: { ingest, batch } });
}

/** Whose fresh table a comment marks (the ingest id), or `null` when it is not one of ours. */
export function markedIngest(text: string | null): string | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    const ours = isPlainObject(value) ? (value as Record<string, unknown>)[LEDGER_KEY] : undefined;
    const ingest = isPlainObject(ours) ? (ours as Record<string, unknown>).ingest : undefined;
    return typeof ingest === 'string' ? ingest : null;
  } catch {
    return null;
  }
}

/**
 * What another writer would change: the watermark entry and the ledger, as one comparable string
 * (canonical JSON). Two equal fingerprints mean nobody committed a batch in between.
 */
export function writerFingerprint(comment: TableComment | null): string {
  if (comment === null) return 'no table';
  return canonicalJson({ peer: comment.object[PEER_KEY] ?? null, ledger: comment.object[LEDGER_KEY] ?? null });
}

/**
 * Checks that `value` survives a JSON round trip unchanged: `null`, booleans, finite numbers,
 * strings, arrays and plain objects of those. Dates, bigints, `undefined`, NaN, class instances and
 * cycles are refused (JSON would silently change or drop them).
 *
 * @throws InvalidBatchError naming `where` and the path of the offending part; `details.batch` is `batch`.
 */
export function assertJsonValue(value: unknown, where: string, batch: number): asserts value is JsonValue {
  const problem = jsonValueProblem(value);
  if (problem !== null) {
    throw new InvalidBatchError(`${where} is not a JSON value: ${problem}`, { details: { batch, where } });
  }
}

/** Why `value` is not a JSON value that survives a round trip unchanged (`$` is the value), or `null` when it is one. */
export function jsonValueProblem(value: unknown): string | null {
  return jsonProblem(value, '$', new Set());
}

function jsonProblem(value: unknown, path: string, seen: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot represent`;
    case 'undefined':
      return `${path} is undefined`;
    case 'bigint':
      return `${path} is a bigint (${value}n); pass it as a string`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}`;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return `${path} refers back to itself (a cycle)`;
  if (value instanceof Date) return `${path} is a Date; pass an ISO string (JSON would turn it into one and never back)`;
  if (!Array.isArray(value) && !isPlainObject(value)) {
    return `${path} is a ${(object.constructor as { name?: string } | undefined)?.name ?? 'non-plain object'}, not a plain object`;
  }
  seen.add(object);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [`${path}[${i}]`, item])
    : Object.entries(value as Record<string, unknown>).map(([key, item]) => [`${path}.${key}`, item]);
  for (const [childPath, child] of entries) {
    const problem = jsonProblem(child, childPath, seen);
    if (problem !== null) return problem;
  }
  seen.delete(object);
  return null;
}

function toLedger(entry: Record<string, JsonValue>): Ledger | null {
  const { ingest, batch, rows } = entry;
  if (typeof ingest !== 'string' || typeof batch !== 'number' || !Number.isSafeInteger(batch)) return null;
  return { ingest, batch, rows: typeof rows === 'number' ? rows : 0 };
}

function refuse(table: string, text: string, what: string): InvalidTableCommentError {
  const excerpt = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return new InvalidTableCommentError(
    `the comment of table ${table} ${what}, so the high watermark cannot be stored in it without losing it: ${JSON.stringify(excerpt)}; change or remove the comment (COMMENT ON TABLE … IS NULL) first`,
    { details: { table, comment: excerpt } },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
