/**
 * The README's Reliability section names, for every guarantee, the test files and the tests that
 * prove it: each file must exist and each quoted test (or `describe`) name must be in one of the
 * files of its row, so the section cannot point at a test that was renamed or removed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = /\n## Reliability\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| guarantee') && !line.startsWith('| ---'));

describe("the README's Reliability section", () => {
  it('has a row per guarantee, each naming a test file', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const row of rows) expect(row, row.slice(0, 120)).toMatch(/`test\/[\w/-]+\.test\.ts`/);
  });

  it('names only test files that exist and tests that are in them', () => {
    for (const row of rows) {
      const files = [...row.matchAll(/`(test\/[\w/-]+\.test\.ts)`/g)].map((match) => match[1] as string);
      for (const file of files) expect(existsSync(new URL(file, root)), file).toBe(true);
      const sources = files.map((file) => readFileSync(new URL(file, root), 'utf8'));
      const proof = row.slice(row.lastIndexOf(' | '));
      for (const [, name] of proof.matchAll(/"([^"]+)"/g)) {
        expect(sources.some((source) => source.includes(name as string)), `"${name}" in ${files.join(', ')}`).toBe(true);
      }
    }
  });
});
