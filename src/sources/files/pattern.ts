/**
 * File name patterns, glob-lite: a pattern with `*` (any run of characters) or `?` (one character)
 * must match the whole name; a pattern without either is a suffix (`.csv` matches `a.csv`). Names
 * starting with a dot are hidden, as in a shell: only a wildcard pattern that itself starts with a
 * dot matches them, so writers can stage files as `.name.tmp` and rename them when complete.
 */

/** A predicate over file names (not paths: patterns never cross directories). */
export type NameMatcher = (name: string) => boolean;

export function isWildcardPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function compilePatterns(patterns: readonly string[]): NameMatcher {
  const matchers = patterns.map(compilePattern);
  return (name) => matchers.some((match) => match(name));
}

function compilePattern(pattern: string): NameMatcher {
  if (!isWildcardPattern(pattern)) return (name) => !name.startsWith('.') && name.endsWith(pattern);
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  // `u` so that `?` is one code point, `s` so that `*` also crosses odd characters such as newlines.
  const regex = new RegExp(`^${source}$`, 'su');
  const dotAllowed = pattern.startsWith('.');
  return (name) => (dotAllowed || !name.startsWith('.')) && regex.test(name);
}
