/**
 * Names for indexes and constraints we create, chosen the way PostgreSQL chooses them when none is
 * given (`<table>_<columns>_idx`, `<table>_<column>_key`, `<table>_pkey`, parts shortened to fit 63
 * bytes, a counter appended on a clash), so that tables look the same whichever path created them.
 * We choose them ourselves rather than letting the server do it because a concurrent build that
 * fails must be cleaned up by name, and `ADD CONSTRAINT … USING INDEX` needs the index's name.
 */
import { createHash } from 'node:crypto';
import { MAX_IDENTIFIER_BYTES } from '../../sql/identifier.js';

/** Longest prefix of `text` of at most `bytes` UTF-8 bytes that does not split a character. */
export function clipBytes(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * PostgreSQL's `makeObjectName`: `name1_name2_label`, with the longer of `name1`/`name2` shortened
 * one byte at a time until the whole fits in 63 bytes; the label is never shortened.
 */
export function makeObjectName(name1: string, name2: string | null, label: string): string {
  let overhead = label === '' ? 0 : Buffer.byteLength(label) + 1;
  let name2Bytes = 0;
  if (name2 !== null) {
    name2Bytes = Buffer.byteLength(name2);
    overhead += 1;
  }
  const available = MAX_IDENTIFIER_BYTES - overhead;
  let name1Bytes = Buffer.byteLength(name1);
  while (name1Bytes + name2Bytes > available) {
    if (name1Bytes > name2Bytes) name1Bytes--;
    else name2Bytes--;
  }
  let result = clipBytes(name1, name1Bytes);
  if (name2 !== null) result += `_${clipBytes(name2, name2Bytes)}`;
  if (label !== '') result += `_${label}`;
  return result;
}

/**
 * PostgreSQL's `ChooseRelationName`: {@link makeObjectName}, then `label1`, `label2` … until the
 * name is not in `taken`. The chosen name is added to `taken`.
 */
export function chooseName(name1: string, name2: string | null, label: string, taken: Set<string>): string {
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(name1, name2, pass === 0 ? label : `${label}${pass}`);
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** PostgreSQL's `ChooseIndexNameAddition`: column names joined by `_`, stopping once 63 bytes are reached. */
export function indexNameAddition(columns: readonly string[]): string {
  let result = '';
  for (const column of columns) {
    if (result !== '') result += '_';
    result += column;
    if (Buffer.byteLength(result) >= MAX_IDENTIFIER_BYTES) break;
  }
  return result;
}

/**
 * Name of the temporary `CHECK (c IS NOT NULL) NOT VALID` constraint used to add NOT NULL without
 * a long lock. Deterministic, so a step interrupted by a crash is redone with the same name (and
 * `DROP CONSTRAINT IF EXISTS` first), and marked as ours so nobody mistakes it for a real constraint.
 */
export function notNullCheckName(column: string): string {
  return `${NOT_NULL_CHECK_PREFIX}${createHash('sha256').update(column).digest('hex').slice(0, 16)}`;
}

/** Prefix of {@link notNullCheckName}: a CHECK constraint with it is ours, left by an interrupted migration if still there. */
export const NOT_NULL_CHECK_PREFIX = 'temporal_pg_not_null_';
