/**
 * The one place where names become SQL. Every schema, table, column, index, constraint and role
 * name that reaches a statement goes through {@link quoteIdent}; values never do (they are query
 * parameters or COPY-encoded).
 */
import { InvalidIdentifierError } from '../errors/invalid-identifier-error.js';

/** PostgreSQL keeps at most NAMEDATALEN - 1 = 63 bytes of a name and silently truncates the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A schema-qualified relation name. */
export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

/**
 * Checks that `name` can be used as an identifier as is: non-empty, no NUL character, valid UTF-16
 * (no lone surrogates), and at most 63 bytes in UTF-8 (longer names would be truncated by the
 * server, so two different names could silently become the same one).
 *
 * @param what what the name is, for the error message (e.g. `column`, `table`).
 */
export function assertIdentifier(name: unknown, what = 'identifier'): asserts name is string {
  if (typeof name !== 'string') {
    throw new InvalidIdentifierError(`${what} name must be a string, got ${typeof name}`, { details: { what } });
  }
  if (name.length === 0) {
    throw new InvalidIdentifierError(`${what} name must not be empty`, { details: { what, name } });
  }
  if (name.includes('\0')) {
    throw new InvalidIdentifierError(`${what} name ${JSON.stringify(name)} contains a NUL character`, { details: { what, name } });
  }
  if (!name.isWellFormed()) {
    throw new InvalidIdentifierError(`${what} name ${JSON.stringify(name)} contains a lone surrogate`, { details: { what, name } });
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new InvalidIdentifierError(
      `${what} name ${JSON.stringify(name)} is ${bytes} bytes long; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES}`,
      { details: { what, name, bytes } },
    );
  }
}

/** Quotes one identifier: `my "odd" name` → `"my ""odd"" name"`. Validates it first. */
export function quoteIdent(name: string, what?: string): string {
  assertIdentifier(name, what);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a schema-qualified name: `{ schema: 'a.b', name: 'c' }` → `"a.b"."c"`. */
export function quoteQualified(target: QualifiedName): string {
  return `${quoteIdent(target.schema, 'schema')}.${quoteIdent(target.name, 'table')}`;
}

/** A readable, unambiguous rendering of a qualified name for messages and report keys. */
export function displayName(target: QualifiedName): string {
  const part = (s: string) => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`);
  return `${part(target.schema)}.${part(target.name)}`;
}
