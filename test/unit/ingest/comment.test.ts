/**
 * The watermark comment: pg-bulk-ingest's format read and written, other keys kept, anything that
 * is not a JSON object refused, and watermarks that JSON would change refused.
 */
import { describe, expect, it } from 'vitest';
import { assertJsonValue, commentWithBatch, freshTableMarker, jsonValueProblem, markedIngest, parseTableComment, writerFingerprint } from '../../../src/ingest/engine/comment.js';
import { InvalidBatchError, InvalidTableCommentError } from '../../../src/ingest/engine/errors.js';

describe('parseTableComment', () => {
  it('reads no comment as nothing stored', () => {
    for (const text of [null, '', '  ']) expect(parseTableComment(text, 's.t')).toEqual({ object: {}, hasWatermark: false, watermark: null, ledger: null });
  });

  it("reads pg-bulk-ingest's watermark, a stored null, and our ledger", () => {
    expect(parseTableComment('{"pg-bulk-ingest": {"high-watermark": [1, "a"]}}', 's.t')).toMatchObject({ hasWatermark: true, watermark: [1, 'a'], ledger: null });
    expect(parseTableComment('{"pg-bulk-ingest": {"high-watermark": null}}', 's.t')).toMatchObject({ hasWatermark: true, watermark: null });
    expect(parseTableComment('{"pg-bulk-ingest": {}, "temporal-pg": {"ingest": "x", "batch": 3, "rows": 9}}', 's.t')).toMatchObject({
      hasWatermark: false,
      ledger: { ingest: 'x', batch: 3, rows: 9 },
    });
    expect(parseTableComment('{"temporal-pg": {"ingest": 5}}', 's.t').ledger).toBeNull();
  });

  it('refuses what is not a JSON object, naming the table and quoting the comment', () => {
    for (const text of ['notes', '"text"', '[1]', 'null', '{"pg-bulk-ingest": []}', '{"temporal-pg": "x"}']) {
      const error = (() => {
        try {
          parseTableComment(text, '"my schema".t');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, text).toBeInstanceOf(InvalidTableCommentError);
      expect((error as InvalidTableCommentError).details).toEqual({ table: '"my schema".t', comment: text });
    }
  });
});

describe('commentWithBatch', () => {
  it('replaces watermark and ledger and keeps every other key', () => {
    const previous = parseTableComment('{"owner": "team", "pg-bulk-ingest": {"high-watermark": 1, "extra": true}}', 's.t').object;
    expect(JSON.parse(commentWithBatch(previous, { at: '2024' }, { ingest: 'i', batch: 2, rows: 5 }))).toEqual({
      owner: 'team',
      'pg-bulk-ingest': { 'high-watermark': { at: '2024' }, extra: true },
      'temporal-pg': { ingest: 'i', batch: 2, rows: 5 },
    });
  });

  it('fingerprints only what writers change', () => {
    const a = parseTableComment('{"owner": "a", "pg-bulk-ingest": {"high-watermark": 1}}', 's.t');
    const b = parseTableComment('{"owner": "b", "pg-bulk-ingest": {"high-watermark": 1}}', 's.t');
    const c = parseTableComment('{"owner": "a", "pg-bulk-ingest": {"high-watermark": 2}}', 's.t');
    expect(writerFingerprint(a)).toBe(writerFingerprint(b));
    expect(writerFingerprint(a)).not.toBe(writerFingerprint(c));
    expect(writerFingerprint(null)).not.toBe(writerFingerprint(parseTableComment(null, 's.t')));
  });

  it('marks fresh tables with the ingest they belong to', () => {
    expect(markedIngest(freshTableMarker('run-7', 1))).toBe('run-7');
    expect(markedIngest('{"pg-bulk-ingest": {}}')).toBeNull();
    expect(markedIngest('not json')).toBeNull();
    expect(markedIngest(null)).toBeNull();
  });
});

describe('assertJsonValue', () => {
  it('accepts what survives a JSON round trip', () => {
    for (const value of [null, true, 0, -1.5, 'x', [], {}, { a: [1, { b: null }] }, Object.create(null) as object]) {
      expect(() => assertJsonValue(value, 'w', 1)).not.toThrow();
    }
  });

  it('refuses what JSON would change or drop, with the path', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const cases: [unknown, string][] = [
      [undefined, '$ is undefined'],
      [Number.NaN, '$ is NaN'],
      [Infinity, '$ is Infinity'],
      [{ a: [1, 2n] }, '$.a[1] is a bigint'],
      [{ d: new Date(0) }, '$.d is a Date'],
      [[new Map()], '$[0] is a Map'],
      [{ f: () => 1 }, '$.f is a function'],
      [cycle, '$.self refers back to itself'],
    ];
    for (const [value, message] of cases) {
      expect(() => assertJsonValue(value, 'the watermark', 3)).toThrow(InvalidBatchError);
      expect(() => assertJsonValue(value, 'the watermark', 3)).toThrow(message);
      expect(jsonValueProblem(value)).toContain(message);
    }
  });
});
