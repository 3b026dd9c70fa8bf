/**
 * CSV files: header or explicit columns, quoting (newlines, delimiters and quotes inside quotes),
 * the NULL rule, BOM, delimiters and escapes, coercions, gzip, resumption from the watermark, and
 * every bad input as a typed error naming file and line.
 */
import { describe, expect, it } from 'vitest';
import { jsonNull } from '../../../src/ingest/copy/json-null.js';
import { createCsvFilesSource, csvFiles } from '../../../src/sources/csv/csv-files.js';
import {
  InvalidCsvHeaderError,
  InvalidCsvValueError,
  InvalidSourceArgsError,
  InvalidUtf8Error,
  MalformedCsvError,
  RecordTooLongError,
} from '../../../src/sources/errors.js';
import { caught } from '../../helpers/caught.js';
import { drainAll, drainByBatch } from '../../helpers/drain-source.js';
import { useTempFiles } from './files.js';

const temp = useTempFiles();

async function rowsOf(content: string | Buffer, args: Record<string, unknown> = {}, name = 'a.csv'): Promise<unknown[]> {
  const directory = await temp.directory({ [name]: content });
  const batches = await drainAll(csvFiles, { directory, ...args });
  return batches.flatMap((batch) => batch.rows);
}

describe('parsing', () => {
  it('header names the keys; values stay strings', async () => {
    expect(await rowsOf('id,name,price\n1,apple,1.50\n2,pear,0.99\n')).toEqual([
      { id: '1', name: 'apple', price: '1.50' },
      { id: '2', name: 'pear', price: '0.99' },
    ]);
  });

  it('NULL rule: an unquoted empty field is NULL, a quoted empty field is an empty string', async () => {
    expect(await rowsOf('a,b,c\n,"",x\n"",,\n')).toEqual([
      { a: null, b: '', c: 'x' },
      { a: '', b: null, c: null },
    ]);
    // With nullString, only the unquoted spelling is NULL; a quoted "\N" is the text \N.
    expect(await rowsOf('a,b,c\n\\N,"\\N",\n', { nullString: '\\N' })).toEqual([{ a: null, b: '\\N', c: '' }]);
  });

  it('quoted fields keep delimiters, doubled quotes and newlines (CRLF too); line numbers count physical lines', async () => {
    const content = 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"line one\r\nline two\nline three"\r\n4,"x"\r\n5,\r\n';
    expect(await rowsOf(content)).toEqual([
      { id: '1', text: 'a, b' },
      { id: '2', text: 'say "hi"' },
      { id: '3', text: 'line one\r\nline two\nline three' },
      { id: '4', text: 'x' },
      { id: '5', text: null },
    ]);
    // Line 9: the multi-line record took lines 4 to 6 (a CRLF inside quotes is one line break).
    const error = await caught(() => rowsOf(`${content}6,"x"y\n`));
    expect(error).toBeInstanceOf(MalformedCsvError);
    expect((error as MalformedCsvError).details).toMatchObject({ file: "a.csv", line: 9 });
  });

  it('a UTF-8 BOM is dropped, blank lines are skipped', async () => {
    const rows = await rowsOf('\uFEFFid,v\n\n1,é\n\n\n2,😀\n');
    expect(rows).toEqual([
      { id: '1', v: 'é' },
      { id: '2', v: '😀' },
    ]);
    expect(Object.keys(rows[0] as object)).toEqual(['id', 'v']);
  });

  it('delimiter, quote and escape options', async () => {
    expect(await rowsOf("a;b\n'x;y';'it\\'s'\n", { delimiter: ';', quote: "'", escape: '\\' })).toEqual([{ a: 'x;y', b: "it's" }]);
    expect(await rowsOf('a\tb\n1\t"2\t3"\n', { delimiter: '\t' })).toEqual([{ a: '1', b: '2\t3' }]);
  });

  it('explicit columns: without a header, over a header (skipped), and null to drop a field', async () => {
    expect(await rowsOf('1,x\n2,y\n', { header: false, columns: ['id', 'v'] })).toEqual([
      { id: '1', v: 'x' },
      { id: '2', v: 'y' },
    ]);
    expect(await rowsOf('ID,Value,junk\n1,x,j\n', { columns: ['id', 'v', null] })).toEqual([{ id: '1', v: 'x' }]);
  });

  it('coerce: boolean as PostgreSQL reads it, json as JSON (JSON null distinct from the NULL field)', async () => {
    const rows = await rowsOf('flag,doc,tags\nt,"{""a"":1}","[1,2]"\nNo,null,[]\n" yes ",,\nOFF,"""s""",[]\n', {
      coerce: { flag: 'boolean', doc: 'json', tags: 'json' },
    });
    expect(rows).toEqual([
      { flag: true, doc: { a: 1 }, tags: [1, 2] },
      { flag: false, doc: jsonNull, tags: [] },
      { flag: true, doc: null, tags: null },
      { flag: false, doc: 's', tags: [] },
    ]);
  });

  it('a header column named __proto__ becomes a key', async () => {
    const [row] = await rowsOf('__proto__,b\np,q\n');
    expect(Object.keys(row as object)).toEqual(['__proto__', 'b']);
    expect((row as Record<string, unknown>)['__proto__']).toBe('p');
  });
});

describe('files and watermark', () => {
  it('gzip, byte-wise order, resumption from the last file name, several files per batch', async () => {
    const directory = await temp.directory({
      'orders-02.csv.gz': 'id\n3\n4\n',
      'orders-01.csv': 'id\n1\n2\n',
      'orders-03.csv': 'id\n5\n',
      'readme.md': 'no',
    });
    const all = await drainByBatch(csvFiles, { directory });
    expect(all.map((batch) => [batch.watermark, batch.rows.map((row) => (row as { id: string }).id)])).toEqual([
      ['orders-01.csv', ['1', '2']],
      ['orders-02.csv.gz', ['3', '4']],
      ['orders-03.csv', ['5']],
    ]);
    const resumed = await drainByBatch(csvFiles, { directory, filesPerBatch: 2 }, 'orders-01.csv');
    expect(resumed.map((batch) => [batch.watermark, batch.rows.length])).toEqual([['orders-03.csv', 3]]);
  });

  it('an empty file yields no rows; each file has its own header', async () => {
    const directory = await temp.directory({ 'a.csv': '', 'b.csv': 'y,x\n2,1\n' });
    const batches = await drainAll(createCsvFilesSource(), { directory });
    expect(batches.map((batch) => batch.rows)).toEqual([[], [{ y: '2', x: '1' }]]);
  });
});

describe('errors name the file and the line', () => {
  const cases: [string, string | Buffer, Record<string, unknown>, new (...args: never[]) => Error, Record<string, unknown>][] = [
    ['a field count that differs from the header', 'a,b\n1,2\n1,2,3\n', {}, MalformedCsvError, { line: 3 }],
    ['an unterminated quote (the line where it opened)', 'a,b\n1,2\n3,"oops\n4,5\n', {}, MalformedCsvError, { line: 3 }],
    ['a quote inside an unquoted field', 'a,b\n1,x"y"\n', {}, MalformedCsvError, { line: 2 }],
    ['an empty header name', 'a,,c\n1,2,3\n', {}, InvalidCsvHeaderError, { line: 1 }],
    ['a duplicated header name', 'a,b,a\n1,2,3\n', {}, InvalidCsvHeaderError, { line: 1 }],
    ['columns that do not match the field count', 'a,b\n1,2\n', { columns: ['x'] }, InvalidCsvHeaderError, {}],
    ['a boolean that is not one', 'f\ntrue\nmaybe\n', { coerce: { f: 'boolean' } }, InvalidCsvValueError, { line: 3, column: 'f' }],
    ['bad JSON', 'j\n"{""a"":1}"\n{a:1}\n', { coerce: { j: 'json' } }, InvalidCsvValueError, { line: 3, column: 'j' }],
    ['invalid UTF-8', Buffer.concat([Buffer.from('a\nok\nbad'), Buffer.from([0xff]), Buffer.from('\n')]), {}, InvalidUtf8Error, { line: 3 }],
    ['a record over maxRecordChars', `a\n${'x'.repeat(500)}\n`, { maxRecordChars: 100 }, RecordTooLongError, {}],
  ];
  for (const [what, content, args, type, details] of cases) {
    it(what, async () => {
      const error = await caught(() => rowsOf(content, args, 'data.csv'));
      expect(error).toBeInstanceOf(type);
      expect((error as Error & { details: object }).details).toMatchObject({ file: 'data.csv', ...details });
      expect(error.message).toContain('data.csv');
    });
  }

  it('line numbers stay exact deep into a file, across chunks and multi-line fields', async () => {
    // 30,000 records of 3 physical lines each (CRLF inside the quotes), about 1.3 MB.
    const good = Array.from({ length: 30_000 }, (_, i) => `${i},"first\r\nsecond\nthird ${'x'.repeat(20)}"\r\n`).join('');
    const badParse = await caught(() => rowsOf(`id,text\r\n${good}\r\n30000,"x"y\r\n`));
    expect((badParse as MalformedCsvError).details).toMatchObject({ line: 1 + 90_000 + 1 + 1, code: 'CSV_INVALID_CLOSING_QUOTE' });
    const badValue = await caught(() => rowsOf(`id,text,flag\r\n${good.replaceAll('"\r\n', '",t\r\n')}30000,x,maybe\r\n`, { coerce: { flag: 'boolean' } }));
    expect((badValue as InvalidCsvValueError).details).toMatchObject({ line: 1 + 90_000 + 1, column: 'flag' });
  });

  it('bad args name the field', async () => {
    for (const [args, field] of [
      [{ directory: '.', header: false }, 'columns'],
      [{ directory: '.', delimiter: ';;' }, 'delimiter'],
      [{ directory: '.', delimiter: '"' }, 'delimiter'],
      [{ directory: '.', coerce: { a: 'integer' } }, 'coerce.a'],
      [{ directory: '.', columns: ['a'], coerce: { b: 'json' } }, 'coerce.b'],
      [{ directory: '.', columns: ['a', 'a'] }, 'columns'],
      [{ directory: '.', nullString: 0 }, 'nullString'],
    ] as const) {
      const error = await caught(() => csvFiles(null, args as never));
      expect(error, JSON.stringify(args)).toBeInstanceOf(InvalidSourceArgsError);
      expect((error as InvalidSourceArgsError).details.field).toBe(field);
    }
    // A coerce column missing from a file's header is found when the header is read.
    const error = await caught(() => rowsOf('a,b\n1,2\n', { coerce: { c: 'boolean' } }));
    expect((error as InvalidSourceArgsError).details.field).toBe('coerce.c');
  });
});
