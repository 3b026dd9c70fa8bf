/**
 * Parses PostgreSQL's text output of an array (`{1,2,NULL}`, `{{"a b",c},{d,e}}`,
 * `[0:1]={7,8}`) into nested JavaScript arrays, each element passed through `decode`. Unquoted
 * `NULL` is a NULL element; quoted elements are strings with `\` escapes. Lower bounds other
 * than 1 are dropped (a JavaScript array has none).
 */

export function parseArrayLiteral(text: string, delimiter: string, decode: (element: string) => unknown): unknown[] {
  let i = 0;
  if (text.startsWith('[')) {
    // Dimension decoration: `[lo:hi][lo:hi]=` before the braces.
    i = text.indexOf('=') + 1;
    if (i === 0) throw malformed(text);
  }
  const parseLevel = (): unknown[] => {
    if (text[i] !== '{') throw malformed(text);
    i++;
    const items: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return items;
    }
    for (;;) {
      if (text[i] === '{') {
        items.push(parseLevel());
      } else if (text[i] === '"') {
        i++;
        let value = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i] ?? '';
          i++;
        }
        if (i >= text.length) throw malformed(text);
        i++;
        items.push(decode(value));
      } else {
        let end = i;
        while (end < text.length && text[end] !== delimiter && text[end] !== '}') end++;
        const raw = text.slice(i, end);
        i = end;
        items.push(raw.toUpperCase() === 'NULL' ? null : decode(raw));
      }
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return items;
      }
      throw malformed(text);
    }
  };
  const result = parseLevel();
  if (i !== text.length) throw malformed(text);
  return result;
}

function malformed(text: string): Error {
  return new Error(`unexpected array output from PostgreSQL: ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`);
}
