/**
 * Newline-delimited JSON files: byte-wise file order, watermark = last file name and resumption
 * from it, blank lines and CRLF, gzip, column lists, large integers, and every bad input as a typed
 * error naming file and line.
 */
import { symlink, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InvalidSourceArgsError,
  InvalidSourceWatermarkError,
  InvalidUtf8Error,
  MalformedGzipError,
  MalformedJsonLineError,
  RecordTooLongError,
  SourceDirectoryNotFoundError,
} from '../../../src/sources/errors.js';
import { createNdjsonFilesSource, ndjsonFiles } from '../../../src/sources/ndjson/ndjson-files.js';
import type { SourceBatch, SourceRow } from '../../../src/sources/types.js';
import { caught } from '../../helpers/caught.js';
import { drainAll, drainByBatch, takeOneBatch } from '../../helpers/drain-source.js';
import { useTempFiles } from './files.js';

const temp = useTempFiles();

describe('order and watermark', () => {
  it('reads matching files in byte-wise name order, one batch per file, watermark = the file name', async () => {
    const directory = await temp.directory({
      'b.ndjson': '{"n":3}\n',
      'a.ndjson': '{"n":1}\n{"n":2}\n',
      'B.ndjson': '{"n":0}\n',
      'é.jsonl': '{"n":5}\n',
      'z.ndjson': '{"n":4}\n',
      'notes.txt': 'not json',
      '.hidden.ndjson': '{"n":-1}\n',
    });
    await mkdir(path.join(directory, 'sub.ndjson'));
    const batches = await drainAll(ndjsonFiles, { directory });
    // Uppercase sorts before lowercase, and é (UTF-8 0xC3…) after z, whatever the locale.
    expect(batches.map((batch) => batch.watermark)).toEqual(['B.ndjson', 'a.ndjson', 'b.ndjson', 'z.ndjson', 'é.jsonl']);
    expect(batches.map((batch) => batch.rows)).toEqual([[{ n: 0 }], [{ n: 1 }, { n: 2 }], [{ n: 3 }], [{ n: 4 }], [{ n: 5 }]]);
    expect(batches[1]?.metadata).toEqual({ files: ['a.ndjson'] });
  });

  it('resumes after the watermark: nothing repeated or skipped, new files picked up, older names ignored', async () => {
    const directory = await temp.directory({ '2024-01-01.ndjson': '{"d":1}', '2024-01-02.ndjson': '{"d":2}', '2024-01-03.ndjson': '{"d":3}' });
    const first = await takeOneBatch(ndjsonFiles, null, { directory });
    expect(first?.watermark).toBe('2024-01-01.ndjson');
    const rest = await drainByBatch(ndjsonFiles, { directory }, first?.watermark ?? null);
    expect(rest.map((batch) => batch.rows)).toEqual([[{ d: 2 }], [{ d: 3 }]]);
    await temp.write(directory, '2024-01-04.ndjson', '{"d":4}');
    await temp.write(directory, '2023-12-31.ndjson', '{"d":0}');
    const more = await drainByBatch(ndjsonFiles, { directory }, rest[rest.length - 1]?.watermark ?? null);
    expect(more.map((batch) => batch.rows)).toEqual([[{ d: 4 }]]);
    expect(await takeOneBatch(ndjsonFiles, '2024-01-04.ndjson', { directory })).toBeUndefined();
  });

  it('groups filesPerBatch files per batch; the watermark is the last of them', async () => {
    const directory = await temp.directory({ '1.ndjson': '{"f":1}', '2.ndjson': '{"f":2}', '3.ndjson': '{"f":3}', '4.ndjson': '{"f":4}', '5.ndjson': '{"f":5}' });
    const batches = await drainByBatch(ndjsonFiles, { directory, filesPerBatch: 2 });
    expect(batches.map((batch) => [batch.watermark, batch.rows.length])).toEqual([
      ['2.ndjson', 2],
      ['4.ndjson', 2],
      ['5.ndjson', 1],
    ]);
    expect(batches[0]?.metadata).toEqual({ files: ['1.ndjson', '2.ndjson'] });
  });

  it('patterns: wildcards, suffixes, lists; symbolic links to files count, dangling ones do not', async () => {
    const directory = await temp.directory({ 'events-1.json': '{"e":1}', 'events-2.json': '{"e":2}', 'other.json': '{"o":1}', 'x.data': '{"x":1}' });
    await symlink(path.join(directory, 'x.data'), path.join(directory, 'events-3.json'));
    await symlink(path.join(directory, 'gone'), path.join(directory, 'events-4.json'));
    expect((await drainAll(ndjsonFiles, { directory, pattern: 'events-*.json' })).map((b) => b.watermark)).toEqual([
      'events-1.json',
      'events-2.json',
      'events-3.json',
    ]);
    expect((await drainAll(ndjsonFiles, { directory, pattern: '.data' })).map((b) => b.watermark)).toEqual(['x.data']);
    expect((await drainAll(ndjsonFiles, { directory, pattern: ['other.json', 'events-?.json'] })).map((b) => b.watermark)).toHaveLength(4);
  });

  it('an empty directory, and a file with no rows (its watermark still advances)', async () => {
    expect(await drainAll(ndjsonFiles, { directory: await temp.directory() })).toEqual([]);
    const directory = await temp.directory({ 'a.ndjson': '\n\n   \n', 'b.ndjson': '' });
    expect((await drainAll(ndjsonFiles, { directory })).map((batch) => [batch.watermark, batch.rows])).toEqual([
      ['a.ndjson', []],
      ['b.ndjson', []],
    ]);
  });
});

describe('batch rows', () => {
  it('rows read after asking for the next batch, or read twice, are an error, never a silent empty batch', async () => {
    const directory = await temp.directory({ 'a.ndjson': '{"a":1}\n{"a":2}\n', 'b.ndjson': '{"b":1}\n' });
    const batches: SourceBatch[] = [];
    for await (const batch of ndjsonFiles(null, { directory }) as AsyncIterable<SourceBatch>) batches.push(batch);
    expect(batches).toHaveLength(2);
    expect(() => (batches[0]?.rows as AsyncIterable<SourceRow>)[Symbol.asyncIterator]()).toThrow(/moved on to the next batch/);

    const batchesIterator = (ndjsonFiles(null, { directory }) as AsyncIterable<SourceBatch>)[Symbol.asyncIterator]();
    const first = (await batchesIterator.next()).value as SourceBatch;
    const rows = (first.rows as AsyncIterable<SourceRow>)[Symbol.asyncIterator]();
    expect((await rows.next()).value).toEqual({ a: 1 });
    expect(() => (first.rows as AsyncIterable<SourceRow>)[Symbol.asyncIterator]()).toThrow(/only once/);
    await batchesIterator.next();
    await expect(rows.next()).rejects.toThrow(/moved on to the next batch/);
    await batchesIterator.return?.();
  });
});

describe('lines', () => {
  it('objects and arrays pass through; blank lines, CRLF, a BOM and a missing final newline are handled', async () => {
    const directory = await temp.directory({
      'a.ndjson': '\uFEFF{"a":1,"s":"x\\ny"}\r\n\r\n[1,"two",null]\n  \n{"__proto__":"kept","nested":{"k":[1,2]}}',
    });
    const [batch] = await drainAll(ndjsonFiles, { directory });
    expect(batch?.rows).toEqual([{ a: 1, s: 'x\ny' }, [1, 'two', null], JSON.parse('{"__proto__":"kept","nested":{"k":[1,2]}}')]);
    expect(Object.keys(batch?.rows[2] ?? {})).toEqual(['__proto__', 'nested']);
  });

  it('columns turn objects into arrays in that order (missing keys null, extra keys dropped)', async () => {
    const directory = await temp.directory({ 'a.ndjson': '{"b":2,"a":1,"extra":true}\n{"a":3}\n[9,8]\n' });
    const [batch] = await drainAll(ndjsonFiles, { directory, columns: ['a', 'b'] });
    expect(batch?.rows).toEqual([[1, 2], [3, null], [9, 8]]);
  });

  it('integers beyond 2^53 stay exact as strings by default, rounded with largeIntegers: number', async () => {
    const line = '{"id":12345678901234567890,"neg":-9223372036854775808,"safe":9007199254740991,"f":1.5e300,"s":"12345678901234567890","in":"a\\"12345678901234567890"}';
    const directory = await temp.directory({ 'a.ndjson': line });
    const [exact] = await drainAll(ndjsonFiles, { directory });
    expect(exact?.rows[0]).toEqual({
      id: '12345678901234567890',
      neg: '-9223372036854775808',
      safe: 9007199254740991,
      f: 1.5e300,
      s: '12345678901234567890',
      in: 'a"12345678901234567890',
    });
    const [rounded] = await drainAll(ndjsonFiles, { directory, largeIntegers: 'number' });
    expect((rounded?.rows[0] as { id: unknown }).id).toBe(12345678901234567000);
  });

  it('gzipped files are decompressed as they stream', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ i, text: `row ${i}`.repeat(3) }));
    const directory = await temp.directory({ 'a.ndjson.gz': rows.map((row) => JSON.stringify(row)).join('\n'), 'b.jsonl': '{"i":-1}' });
    const batches = await drainAll(ndjsonFiles, { directory });
    expect(batches.map((batch) => batch.watermark)).toEqual(['a.ndjson.gz', 'b.jsonl']);
    expect(batches[0]?.rows).toEqual(rows);
  });
});

describe('errors name the file and the line', () => {
  it('invalid JSON', async () => {
    const directory = await temp.directory({ 'ok.ndjson': '{"a":1}\n', 'bad.ndjson': '{"a":1}\n\n{"a":2}\n{"a":\n' });
    const rows: unknown[] = [];
    const error = await caught(async () => {
      for (const batch of await drainAll(ndjsonFiles, { directory })) rows.push(...batch.rows);
    });
    expect(error).toBeInstanceOf(MalformedJsonLineError);
    expect(error.message).toMatch(/bad\.ndjson line 4 is not valid JSON/);
    expect((error as MalformedJsonLineError).details).toMatchObject({ file: 'bad.ndjson', line: 4 });
  });

  it('JSON that is not an object or array', async () => {
    for (const [line, what] of [['42', 'number'], ['"text"', 'string'], ['null', 'null'], ['true', 'boolean']] as const) {
      const directory = await temp.directory({ 'a.ndjson': `{"ok":1}\n${line}\n` });
      const error = await caught(() => drainAll(ndjsonFiles, { directory }));
      expect(error).toBeInstanceOf(MalformedJsonLineError);
      expect(error.message).toContain(`a.ndjson line 2 is JSON ${what === 'null' ? 'null' : `of type ${what}`}`);
    }
  });

  it('invalid UTF-8, a line over maxLineBytes, a corrupt gzip file', async () => {
    const directory = await temp.directory({ 'a.ndjson': Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]) });
    const utf8 = await caught(() => drainAll(ndjsonFiles, { directory }));
    expect(utf8).toBeInstanceOf(InvalidUtf8Error);
    expect((utf8 as InvalidUtf8Error).details).toMatchObject({ file: 'a.ndjson', line: 2, byteInLine: 7 });

    const long = await temp.directory({ 'a.ndjson': `{"a":1}\n{"a":"${'x'.repeat(2000)}"}\n` });
    const tooLong = await caught(() => drainAll(ndjsonFiles, { directory: long, maxLineBytes: 1000 }));
    expect(tooLong).toBeInstanceOf(RecordTooLongError);
    expect((tooLong as RecordTooLongError).details).toMatchObject({ file: 'a.ndjson', line: 2, maxLineBytes: 1000 });

    const gz = await temp.directory();
    await temp.write(gz, 'a.ndjson', '{"a":1}');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(gz, 'b.ndjson.gz'), Buffer.from('not gzip at all'));
    const corrupt = await caught(() => drainAll(ndjsonFiles, { directory: gz }));
    expect(corrupt).toBeInstanceOf(MalformedGzipError);
    expect((corrupt as MalformedGzipError).details).toMatchObject({ file: 'b.ndjson.gz' });
  });

  it('a missing directory; bad args naming the field; a watermark that is not a file name', async () => {
    const missing = await caught(() => drainAll(ndjsonFiles, { directory: '/nonexistent/temporal-pg' }));
    expect(missing).toBeInstanceOf(SourceDirectoryNotFoundError);
    expect((missing as SourceDirectoryNotFoundError).nonRetryable).toBe(true);
    for (const [args, field] of [
      [{}, 'directory'],
      [{ directory: '.', filesPerBatch: 0 }, 'filesPerBatch'],
      [{ directory: '.', pattern: [] }, 'pattern'],
      [{ directory: '.', columns: ['a', 7] }, 'columns[1]'],
      [{ directory: '.', largeIntegers: 'bigint' }, 'largeIntegers'],
      [{ directory: '.', dir: 'x' }, 'dir'],
    ] as const) {
      const error = await caught(() => ndjsonFiles(null, args as never));
      expect(error, JSON.stringify(args)).toBeInstanceOf(InvalidSourceArgsError);
      expect((error as InvalidSourceArgsError).details.field).toBe(field);
    }
    expect(await caught(() => ndjsonFiles(42, { directory: '.' }))).toBeInstanceOf(InvalidSourceWatermarkError);
  });

  it('a root directory confines args.directory, symbolic links included', async () => {
    const root = await temp.directory({ 'a.ndjson': '{"r":1}' });
    await mkdir(path.join(root, 'inside'));
    await temp.write(path.join(root, 'inside'), 'b.ndjson', '{"r":2}');
    const outside = await temp.directory({ 'secret.ndjson': '{"s":1}' });
    await symlink(outside, path.join(root, 'escape'));
    const confined = createNdjsonFilesSource({ rootDirectory: root });
    expect((await drainAll(confined, { directory: 'inside' }))[0]?.rows).toEqual([{ r: 2 }]);
    expect((await drainAll(confined, { directory: '.' }))[0]?.rows).toEqual([{ r: 1 }]);
    for (const directory of ['..', outside, 'escape', 'inside/../..']) {
      const error = await caught(() => drainAll(confined, { directory }));
      expect(error, directory).toBeInstanceOf(InvalidSourceArgsError);
      expect((error as InvalidSourceArgsError).details.field).toBe('directory');
    }
  });
});
