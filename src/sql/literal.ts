/**
 * The one place where a value becomes SQL text. Values are query parameters or COPY-encoded
 * everywhere else; only utility statements that cannot take parameters (`COMMENT ON`, storage
 * options in DDL, `SET`, a `setval` of a name) need a literal, and they get it from here.
 */

/**
 * A string literal PostgreSQL reads back exactly, whatever `standard_conforming_strings` says:
 * quotes doubled, and with a backslash present the `E''` form with backslashes doubled (what the
 * server's own `quote_literal` does).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a string literal cannot contain a NUL character');
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}
