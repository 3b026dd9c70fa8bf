import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/ingest/copy/byte-writer.js';
import {
  ColumnTypeNotFoundError,
  InvalidRowError,
  InvalidValueError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
  planCopy,
  retargetCopyPlan,
  type CopyColumn,
  type PrepareCopyOptions,
  type TypeFacts,
} from '../../../src/ingest/copy/index.js';
import { RowEncoder, escapeCopyText } from '../../../src/ingest/copy/row-encoder.js';
import type { TypeFact } from '../../../src/ingest/copy/select-codec.js';

/** A pg_type row as the catalog query returns it. */
function fact(oid: number, name: string, receive: string, extra: Partial<TypeFact> = {}): TypeFact {
  return {
    oid,
    name,
    schema: 'pg_catalog',
    kind: 'b',
    element: 0,
    base: 0,
    typmod: -1,
    delimiter: ',',
    receive,
    receiveBuiltin: true,
    labels: null,
    ...extra,
  };
}

const TYPES: TypeFact[] = [
  fact(23, 'int4', 'int4recv'),
  fact(25, 'text', 'textrecv'),
  fact(1007, '_int4', 'array_recv', { element: 23 }),
  fact(3802, 'jsonb', 'jsonb_recv'),
  fact(3904, 'int4range', 'range_recv', { kind: 'r' }),
  fact(1043, 'varchar', 'varcharrecv'),
  fact(90001, 'mood', 'enum_recv', { kind: 'e', schema: 'app', labels: ['sad', 'happy'] }),
  fact(90002, 'short_text', 'domain_recv', { kind: 'd', schema: 'public', base: 1043, typmod: 4 + 3 }),
  fact(90003, 'citext', 'citextrecv', { schema: 'public', receiveBuiltin: false }),
  fact(90004, 'vector', 'vector_recv', { schema: 'public', receiveBuiltin: false }),
  fact(90005, 'int4recv_spoof', 'int4recv', { schema: 'public', receiveBuiltin: false }),
];

function plan(columns: Array<[string, number, string]>, options: PrepareCopyOptions = {}) {
  const copyColumns: CopyColumn[] = columns.map(([name, typeOid]) => ({ name, typeOid, typmod: -1 }));
  const facts: TypeFacts = { types: TYPES, columnTypes: columns.map(([, , type]) => type), serverVersion: 180004 };
  return planCopy({ schema: 'public', name: 'events' }, copyColumns, facts, options);
}

describe('planCopy', () => {
  it('picks a codec per column by receive function, through domains and arrays', () => {
    const planned = plan([
      ['id', 23, 'integer'],
      ['tags', 1007, 'integer[]'],
      ['mood', 90001, 'app.mood'],
      ['short', 90002, 'short_text'],
      ['ci', 90003, 'citext'],
    ]);
    expect(planned.columns.map((column) => column.codec.name)).toEqual(['int4', 'array<int4>', 'enum', 'varchar', 'text']);
    expect(planned.format).toBe('binary');
    expect(planned.statement).toBe('COPY "public"."events" ("id", "tags", "mood", "short", "ci") FROM STDIN (FORMAT binary)');
  });

  it('falls back to text format when a column has no binary encoder, and says which', () => {
    const planned = plan([
      ['id', 23, 'integer'],
      ['span', 3904, 'int4range'],
      ['embedding', 90004, 'vector(3)'],
      ['spoof', 90005, 'int4recv_spoof'],
    ]);
    expect(planned.format).toBe('text');
    expect(planned.textOnlyColumns).toEqual(['span', 'embedding', 'spoof']);
    expect(planned.statement).toMatch(/\(FORMAT text\)$/);
  });

  it('writes pgvector vectors from arrays of numbers, in text format', () => {
    const planned = plan([['embedding', 90004, 'vector(3)']]);
    const codec = planned.columns[0]!.codec;
    expect(codec.name).toBe('vector');
    expect(codec.toText([1, -2.5, 3e-7])).toBe('[1,-2.5,3e-7]');
    expect(codec.toText(new Float32Array([0.5, 1]))).toBe('[0.5,1]');
    expect(codec.toText('[1,2,3]')).toBe('[1,2,3]');
    expect(() => codec.toText([1, NaN])).toThrow(/finite number/);
    expect(() => codec.toText({ 0: 1 })).toThrow(/array of numbers/);
  });

  it('retargets a plan to a table with the same columns', () => {
    const staged = retargetCopyPlan(plan([['id', 23, 'integer']]), { schema: 'pg_temp', name: 'stage "1"' });
    expect(staged.statement).toBe('COPY "pg_temp"."stage ""1""" ("id") FROM STDIN (FORMAT binary)');
    expect(staged.target).toEqual({ schema: 'pg_temp', name: 'stage "1"' });
    expect(staged.columns[0]?.codec.name).toBe('int4');
  });

  it('forces text format on request', () => {
    expect(plan([['id', 23, 'integer']], { format: 'text' }).format).toBe('text');
  });

  it('applies the domain’s typmod', () => {
    const planned = plan([['short', 90002, 'short_text']]);
    expect(() => planned.columns[0]?.codec.toText('abcd')).toThrow(/varchar\(3\)/);
  });

  it('fails with a typed, retryable error for an unknown type OID', () => {
    const error = captured(() => plan([['gone', 99999, '???']]));
    expect(error).toBeInstanceOf(ColumnTypeNotFoundError);
    expect(error).toMatchObject({ type: 'ColumnTypeNotFound', nonRetryable: false, details: { typeOid: 99999 } });
  });
});

function captured(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('COPY text escaping', () => {
  it('escapes backslash, tab, newline and CR, so "\\N" stays a string', () => {
    expect(escapeCopyText('plain')).toBe('plain');
    expect(escapeCopyText('a\tb\nc\rd\\N')).toBe('a\\tb\\nc\\rd\\\\N');
  });
});

describe('RowEncoder', () => {
  const planned = plan([
    ['id', 23, 'integer'],
    ['name', 25, 'text'],
    ['doc', 3802, 'jsonb'],
  ]);
  const encode = (rows: unknown[], format: 'binary' | 'text' = 'binary', batch?: number) => {
    const encoder = new RowEncoder(format === 'text' ? plan([['id', 23, 'integer'], ['name', 25, 'text'], ['doc', 3802, 'jsonb']], { format }) : planned, batch);
    const out = new ByteWriter(16);
    encoder.writeHeader(out);
    for (const row of rows) encoder.write(out, row);
    encoder.writeTrailer(out);
    return out.take();
  };

  it('writes the binary signature, a field count per row, -1 for NULL and the trailer', () => {
    const bytes = encode([[1, null, undefined]]);
    expect(bytes.subarray(0, 19).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0');
    expect(bytes.subarray(19).toString('hex')).toBe(['0003', '00000004', '00000001', 'ffffffff', 'ffffffff', 'ffff'].join(''));
  });

  it('writes text rows with \\N for NULL, escaped values and no header', () => {
    expect(encode([[1, 'a\tb', null], { id: 2, doc: { k: 'v\n' } }], 'text').toString()).toBe(
      '1\ta\\tb\t\\N\n2\t\\N\t{"k":"v\\\\n"}\n',
    );
  });

  it('maps object rows by name; missing keys are NULL', () => {
    expect(encode([{ name: 'x' }]).equals(encode([[null, 'x', null]]))).toBe(true);
  });

  it('names table, row and batch when a row has the wrong number of values', () => {
    const error = captured(() => encode([[1, 'a', null], [1, 'a', null, 'extra']], 'binary', 3));
    expect(error).toBeInstanceOf(WrongValueCountError);
    expect(error).toMatchObject({
      type: 'WrongValueCount',
      nonRetryable: true,
      message: 'row 2 of batch 3 has 4 values, table public.events has 3 columns (id, name, doc)',
      details: { schema: 'public', table: 'events', row: 2, batch: 3, values: 4, columns: 3 },
    });
  });

  it('refuses unknown keys and rows that are neither arrays nor plain objects', () => {
    const unknown = captured(() => encode([{ id: 1, nmae: 'typo' }]));
    expect(unknown).toBeInstanceOf(UnknownColumnError);
    expect(unknown).toMatchObject({
      message: 'row 1 has a key "nmae" that is not a column of table public.events (id, name, doc)',
      details: { key: 'nmae', row: 1 },
    });
    expect(captured(() => encode([{ constructor: 1 }]))).toBeInstanceOf(UnknownColumnError);
    for (const row of [null, 'a,b', 42, new Map([['id', 1]]), new Date()]) {
      expect(captured(() => encode([row]))).toBeInstanceOf(InvalidRowError);
    }
  });

  it('turns codec problems into typed errors with column, type, row, batch and the value', () => {
    const invalid = captured(() => encode([[1, 'ok', null], [5.7, 'x', null]], 'binary', 7));
    expect(invalid).toBeInstanceOf(InvalidValueError);
    expect(invalid).toMatchObject({
      type: 'InvalidValue',
      nonRetryable: true,
      message:
        'invalid value in column "id" (integer) of table public.events, row 2 of batch 7: 5.7 is not an integer (integer columns never round or truncate)',
      details: { schema: 'public', table: 'events', column: 'id', row: 2, batch: 7, expected: 'integer', value: '5.7' },
    });
    expect(captured(() => encode([[2147483648, 'x', null]]))).toBeInstanceOf(ValueOutOfRangeError);
    const nul = captured(() => encode([[1, 'a\0', null]], 'text'));
    expect(nul).toBeInstanceOf(UnsupportedCharacterError);
    expect(nul).toMatchObject({ type: 'UnsupportedCharacter', details: { column: 'name', value: '"a\\u0000"' } });
  });

  it('truncates long values in messages', () => {
    const error = captured(() => encode([['x'.repeat(500), null, null]])) as InvalidValueError;
    expect(String(error.details.value).length).toBeLessThanOrEqual(60);
    expect(error.message.length).toBeLessThan(250);
  });
});
