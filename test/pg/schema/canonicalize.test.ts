import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { DuplicateIndexError } from '../../../src/ingest/definition/index.js';
import { canonicalizeDefinition } from '../../../src/ingest/schema/canonicalize-definition.js';
import { DefinitionRejectedError, InvalidColumnTypeError } from '../../../src/ingest/schema/errors.js';
import type { TableDefinition } from '../../../src/ingest/definition/table-definition.js';
import { useTestDatabase } from '../../helpers/database.js';

const db = useTestDatabase();
let client: pg.Client;

beforeAll(async () => {
  client = await db.client();
  await client.query('CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore; CREATE EXTENSION IF NOT EXISTS bloom');
  await client.query('CREATE TABLE victim (x int); CREATE SCHEMA other; CREATE TYPE other.mood AS ENUM (\'happy\', \'sad\')');
});
afterAll(async () => {
  await client.end();
});

function definition(columns: TableDefinition['columns'], indexes?: TableDefinition['indexes']): TableDefinition {
  return { schema: 'public', name: 'target', columns, ...(indexes ? { indexes } : {}) };
}

async function canonicalType(type: string) {
  const desired = await canonicalizeDefinition(client, definition([{ name: 'c', type }]));
  const column = desired.columns[0];
  return column && { typeOid: column.typeOid, typmod: column.typmod, type: column.type };
}

async function rejection(def: TableDefinition): Promise<Error & { details?: Record<string, unknown> }> {
  try {
    await canonicalizeDefinition(client, def);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected canonicalizeDefinition to throw');
}

async function sessionIsClean(): Promise<void> {
  expect(client.getTransactionStatus()).toBe('I');
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'temporal_pg_probe%'`);
  expect(rows[0].n).toBe(0);
  await expect(client.query('SELECT count(*) FROM victim')).resolves.toBeDefined();
}

describe('canonicalisation through the server', () => {
  it.each([
    [['int', 'int4', 'integer', 'INTEGER', ' Int4 ', 'pg_catalog.int4', '"int4"'], 'integer', -1],
    [['varchar(16)', 'character varying(16)', 'VARCHAR (16)', 'national character varying(16)'], 'character varying(16)', 20],
    [['varchar', 'character varying'], 'character varying', -1],
    [['numeric(12,2)', 'decimal(12, 2)', 'NUMERIC(12,2)'], 'numeric(12,2)', (12 << 16) + 2 + 4],
    [['float', 'double precision', 'float8', 'float(53)'], 'double precision', -1],
    [['float(10)', 'real', 'float4'], 'real', -1],
    [['timestamptz', 'timestamp with time zone', 'TIMESTAMPTZ'], 'timestamp with time zone', -1],
    [['timestamptz(6)'], 'timestamp(6) with time zone', 6],
    [['timestamp(3) with time zone', 'timestamptz(3)'], 'timestamp(3) with time zone', 3],
    [['text[]', '_text', 'text[][]', 'text[5]'], 'text[]', -1],
    [['int[][]', 'integer[]', 'int4[]'], 'integer[]', -1],
    [['varchar(16)[]', 'character varying(16)[]'], 'character varying(16)[]', 20],
    [['bool', 'boolean'], 'boolean', -1],
    [['"char"'], '"char"', -1],
    [['char', 'character', 'char(1)'], 'character(1)', 5],
    [['jsonb'], 'jsonb', -1],
    [['bytea'], 'bytea', -1],
    [['uuid'], 'uuid', -1],
    [['interval', 'INTERVAL'], 'interval', -1],
    [['interval day to second(3)', 'INTERVAL DAY TO SECOND (3)'], 'interval day to second(3)', 470286339],
    [['bit varying(5)', 'varbit(5)'], 'bit varying(5)', 5],
    [['citext'], 'citext', -1],
    [['hstore'], 'hstore', -1],
    [['other.mood'], 'other.mood', -1],
  ])('canonicalises %j as %s', async (spellings, canonical, typmod) => {
    const results = [];
    for (const spelling of spellings) results.push(await canonicalType(spelling));
    for (const result of results) expect(result).toMatchObject({ type: canonical, typmod });
    expect(new Set(results.map((result) => result?.typeOid)).size).toBe(1);
  });

  it('keeps "char" and char apart, and int4 and int8', async () => {
    expect((await canonicalType('"char"'))?.typeOid).not.toBe((await canonicalType('char'))?.typeOid);
    expect((await canonicalType('int4'))?.typeOid).not.toBe((await canonicalType('int8'))?.typeOid);
  });

  it('reads nullability, keys, unique columns and indexes from the server', async () => {
    const desired = await canonicalizeDefinition(
      client,
      definition(
        [
          { name: 'id', type: 'bigint', primaryKey: true },
          { name: 'kind', type: 'text', nullable: false, unique: true },
          { name: 'tags', type: 'text[]' },
          { name: 'Odd "Name"', type: 'int', unique: true },
        ],
        [
          { columns: ['tags'], using: 'GIN' },
          { columns: ['kind'], include: ['id'], where: "kind <> 'x'   AND id>0", name: 'partial' },
          { columns: ['kind', 'Odd "Name"'], unique: true },
          { columns: ['kind'], using: 'bloom' },
        ],
      ),
    );
    expect(desired.columns.map((column) => [column.name, column.type, column.notNull])).toEqual([
      ['id', 'bigint', true],
      ['kind', 'text', true],
      ['tags', 'text[]', false],
      ['Odd "Name"', 'integer', false],
    ]);
    expect(desired.primaryKey).toEqual({ columns: ['id'] });
    expect(desired.uniqueConstraints).toEqual([{ columns: ['kind'] }, { columns: ['Odd "Name"'] }]);
    const plain = (columns: string[]) => columns.map((column) => ({ column, expression: null, options: [] }));
    expect(desired.indexes).toEqual([
      { name: null, method: 'gin', unique: false, keys: plain(['tags']), include: [], predicate: null, nullsNotDistinct: false },
      { name: 'partial', method: 'btree', unique: false, keys: plain(['kind']), include: ['id'], predicate: "((kind <> 'x'::text) AND (id > 0))", nullsNotDistinct: false },
      { name: null, method: 'btree', unique: true, keys: plain(['kind', 'Odd "Name"']), include: [], predicate: null, nullsNotDistinct: false },
      { name: null, method: 'bloom', unique: false, keys: plain(['kind']), include: [], predicate: null, nullsNotDistinct: false },
    ]);
    await sessionIsClean();
  });

  it.each([
    'int); DROP TABLE victim; --',
    'int, extra text',
    'int DEFAULT 1',
    'int4 NOT NULL',
    'integer; DROP TABLE victim',
    'text COLLATE "C"',
    'int4 /* unterminated',
    "int4 ' unterminated",
    'varchar(0)',
    'numeric(1001)',
    'int) ; SELECT pg_sleep(10) --',
  ])('rejects hostile or malformed type %j with InvalidColumnTypeError naming the column', async (type) => {
    const error = await rejection(definition([{ name: 'ok', type: 'int' }, { name: 'bad col', type }]));
    expect(error).toBeInstanceOf(InvalidColumnTypeError);
    expect(error.message).toContain('column "bad col" of table public.target');
    expect(error.details).toMatchObject({ table: 'public.target', column: 'bad col', type });
    await sessionIsClean();
  });

  it.each([
    ['nonexistent_type', 'does not exist'],
    ['serial', 'shorthand for integer'],
    ['BIGSERIAL', 'shorthand for bigint'],
    ['record', 'pseudo-type'],
    ['anyelement', 'pseudo-type'],
    ['mood', 'does not exist'],
  ])('rejects %j, which is not a column type (%s)', async (type, message) => {
    const error = await rejection(definition([{ name: 'c', type }]));
    expect(error).toBeInstanceOf(InvalidColumnTypeError);
    expect(error.message).toContain(message);
    expect(error.details).toMatchObject({ column: 'c' });
    await sessionIsClean();
  });

  it('accepts a type followed by a comment, which cannot swallow the rest of the statement', async () => {
    const desired = await canonicalizeDefinition(client, definition([{ name: 'a', type: 'int4 -- no', primaryKey: true }, { name: 'b', type: 'text /* c */' }]));
    expect(desired.columns.map((column) => [column.type, column.notNull])).toEqual([['integer', true], ['text', false]]);
    expect(desired.primaryKey).toEqual({ columns: ['a'] });
  });

  it('refuses predicates that try to run a second statement; the victim survives', async () => {
    for (const where of ['a > 0); DROP TABLE victim; --', 'a > 0\n); DROP TABLE victim; CREATE INDEX ON victim (x', "a > 0 /* */ ; DROP TABLE victim"]) {
      const error = await rejection(definition([{ name: 'a', type: 'int' }], [{ columns: ['a'], where }]));
      expect(error).toBeInstanceOf(DefinitionRejectedError);
      expect(error.details).toMatchObject({ table: 'public.target', index: '#1 (a)', sqlstate: expect.any(String) });
    }
    const ok = await canonicalizeDefinition(client, definition([{ name: 'a', type: 'int' }], [{ columns: ['a'], where: 'a > 0 -- trailing comment' }]));
    expect(ok.indexes[0]?.predicate).toBe('(a > 0)');
    await sessionIsClean();
  });

  it.each([
    [{ columns: ['a'], using: 'no_such_method' }, '42704'],
    [{ columns: ['a'], using: 'gin' }, '42704'],
    [{ columns: ['a'], where: 'missing_column > 0' }, '42703'],
    [{ columns: ['a'], where: 'a + 1' }, '42804'],
    [{ columns: ['a'], where: 'a > random()' }, '42P17'],
    [{ columns: ['a'], using: 'hash', unique: true }, '0A000'],
  ])('reports a part of the definition the server refuses: %j', async (index, sqlstate) => {
    const error = await rejection(definition([{ name: 'a', type: 'int' }], [{ columns: ['a'] }, { ...index, name: 'the_index' }]));
    expect(error).toBeInstanceOf(DefinitionRejectedError);
    expect(error.message).toContain('index "the_index" of table public.target');
    expect(error.details).toMatchObject({ index: '"the_index"', sqlstate });
    await sessionIsClean();
  });

  it('rejects two indexes that only PostgreSQL can tell are the same', async () => {
    const error = await rejection(definition([{ name: 'a', type: 'int' }], [{ columns: ['a'], where: 'a>0' }, { columns: ['a'], where: '(A > 0)' }]));
    expect(error).toBeInstanceOf(DuplicateIndexError);
  });

  it('runs behind a savepoint inside the caller’s transaction and leaves it intact, even after a failure', async () => {
    await client.query('BEGIN');
    await client.query('INSERT INTO victim VALUES (42)');
    await expect(canonicalizeDefinition(client, definition([{ name: 'c', type: 'int); x' }]))).rejects.toBeInstanceOf(InvalidColumnTypeError);
    await expect(canonicalizeDefinition(client, definition([{ name: 'c', type: 'int' }], [{ columns: ['c'], using: 'nope' }]))).rejects.toBeInstanceOf(
      DefinitionRejectedError,
    );
    const desired = await canonicalizeDefinition(client, definition([{ name: 'c', type: 'int' }]));
    expect(desired.columns[0]?.type).toBe('integer');
    expect(client.getTransactionStatus()).toBe('T');
    await client.query('COMMIT');
    const { rows } = await client.query('SELECT x FROM victim');
    expect(rows).toEqual([{ x: 42 }]);
    await sessionIsClean();
  });
});
