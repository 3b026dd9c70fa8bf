/**
 * Facts about a CSV record that `csv-parse` only offers through a per-field `cast` callback — ten
 * times slower than parsing itself — recovered from the record's raw text instead: which fields were
 * quoted (for the NULL rule) and how many physical lines the record spans (for line numbers; the
 * parser's own count takes a `\r\n` inside quotes for two lines).
 */

/** The raw text as the parser hands it, without its record terminator (`\n` and/or `\r`). */
function content(raw: string): string {
  let end = raw.length;
  if (raw.charCodeAt(end - 1) === 0x0a) end--;
  if (raw.charCodeAt(end - 1) === 0x0d) end--;
  return end === raw.length ? raw : raw.slice(0, end);
}

/** Physical lines the record occupies: one, plus the line breaks inside its quoted fields. */
export function lineSpan(raw: string): number {
  const text = content(raw);
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/** True when the record is an empty line (which `csv-parse` reports as one empty field). */
export function isBlankLine(record: readonly string[], raw: string): boolean {
  return record.length === 1 && record[0] === '' && content(raw).length === 0;
}

/** For each field of a record the parser accepted, whether it was written in quotes. */
export function quotedFields(raw: string, dialect: { delimiter: string; quote: string; escape: string }): boolean[] {
  const { delimiter, quote, escape } = dialect;
  const text = content(raw);
  const flags: boolean[] = [];
  let i = 0;
  for (;;) {
    const quoted = text[i] === quote;
    flags.push(quoted);
    if (quoted) {
      i++;
      while (i < text.length) {
        const char = text[i];
        const next = text[i + 1];
        if (char === escape && escape !== quote && (next === quote || next === escape)) i += 2;
        else if (char === quote && escape === quote && next === quote) i += 2;
        else if (char === quote) {
          i++;
          break;
        } else i++;
      }
    }
    while (i < text.length && text[i] !== delimiter) i++;
    if (i >= text.length) return flags;
    i++;
  }
}
