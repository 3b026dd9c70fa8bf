/**
 * The default workflow id of an ingest, derived from what it writes: the database and its target
 * tables, sorted. Temporal refuses a second running workflow with the same id, so two ingests of
 * the same tables cannot run at once unless a caller picks another id on purpose (the engine's
 * advisory locks and ledger still keep them from interleaving).
 */
import type { QualifiedName } from '../sql/identifier.js';

/** Prefix of every default ingest workflow id. */
export const INGEST_WORKFLOW_ID_PREFIX = 'temporal-pg-ingest:';

/** Longest default id before its tail is replaced by a hash (Temporal allows 1000 characters). */
const MAX_ID_LENGTH = 400;

/**
 * `temporal-pg-ingest:<database>:<schema.table>[,<schema.table>…]`, tables sorted, every name
 * quoted as PostgreSQL would print it when it is not a plain lower-case identifier (so
 * `"a.b".c` and `a."b.c"` stay apart). An id longer than 400 characters keeps its first 380 and
 * ends with `~` and a 16-digit hash of the whole.
 *
 * ```ts
 * defaultIngestWorkflowId('default', [{ schema: 'raw', name: 'events' }]) // 'temporal-pg-ingest:default:raw.events'
 * ```
 */
export function defaultIngestWorkflowId(database: string, tables: QualifiedName | readonly QualifiedName[]): string {
  const list = Array.isArray(tables) ? (tables as readonly QualifiedName[]) : [tables as QualifiedName];
  const names = list.map((table) => `${part(table.schema)}.${part(table.name)}`).sort();
  const id = `${INGEST_WORKFLOW_ID_PREFIX}${part(database)}:${names.join(',')}`;
  return id.length <= MAX_ID_LENGTH ? id : `${id.slice(0, MAX_ID_LENGTH - 20)}~${fnv1a64(id)}`;
}

function part(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** 64-bit FNV-1a of the UTF-16 code units, as 16 hex digits (no Node crypto: this runs in workflows too). */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
