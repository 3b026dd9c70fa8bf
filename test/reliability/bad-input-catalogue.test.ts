/**
 * The bad-input catalogue: every kind of bad input an ingest can be handed, the typed error it
 * raises (class, stable `type`, retryable or not, what the message names) and the proof that
 * nothing was written — the whole database (data, columns, constraints, comments and so the
 * watermark, relations, schemas) is compared before and after.
 *
 * Rows, values and batches fail as batch 2 of an ingest whose batch 1 committed: the error must
 * name batch 2 and the row within it, and batch 1 must stay exactly as committed. Definitions fail
 * before anything exists. Names that look hostile (quotes, dots, spaces, emoji, SQL fragments,
 * reserved words) are not bad input: they must work, creating exactly those names and nothing else
 * (last section).
 */
import { describe, expect, it } from 'vitest';
import {
  BatchSourceError,
  DefinitionRejectedError,
  DuplicateColumnError,
  DuplicateIndexError,
  InvalidBatchError,
  InvalidColumnTypeError,
  InvalidIdentifierError,
  InvalidIndexMethodError,
  InvalidIngestOptionError,
  InvalidRowError,
  InvalidTableCommentError,
  InvalidValueError,
  MalformedDefinitionError,
  MissingTableNameError,
  NoColumnsError,
  NotATableError,
  NullablePrimaryKeyError,
  RowRejectedError,
  UnknownColumnError,
  UnknownIndexColumnError,
  UnknownTableError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
  ingest,
  type IngestBatch,
  type IngestBatches,
  type IngestOptions,
  type TableDefinition,
} from '../../src/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { expectError, type ExpectedError } from './support/expect-error.js';
import { snapshotDatabase, type DatabaseSnapshot } from './support/snapshot.js';

const db = useTestDatabase();

// ---------------------------------------------------------------------------------------------
// The table the row, value and batch cases load into
// ---------------------------------------------------------------------------------------------

const SCHEMA = 'catalogue';
const TABLE = 'events';
const events: TableDefinition = {
  schema: SCHEMA,
  name: TABLE,
  columns: [
    { name: 'id', type: 'integer', primaryKey: true },
    { name: 'n', type: 'integer' },
    { name: 'small', type: 'smallint' },
    { name: 'big', type: 'bigint' },
    { name: 'label', type: 'text' },
    { name: 'code', type: 'varchar(4)' },
    { name: 'amount', type: 'numeric(6,2)' },
    { name: 'flag', type: 'boolean' },
    { name: 'doc', type: 'jsonb' },
    { name: 'raw', type: 'json' },
    { name: 'uid', type: 'uuid' },
    { name: 'day', type: 'date' },
    { name: 'at', type: 'timestamptz' },
    { name: 'local', type: 'timestamp' },
    { name: 'tags', type: 'text[]' },
    { name: 'required', type: 'text', nullable: false },
  ],
};

/** A row every column accepts. */
function good(id: number): Record<string, unknown> {
  return {
    id,
    n: id * 10,
    small: 7,
    big: 9007199254740993n,
    label: `label ${id}`,
    code: 'ab',
    amount: '1234.56',
    flag: true,
    doc: { id, nested: ['é', null] },
    raw: [1, 'two'],
    uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    day: '2024-02-29',
    at: new Date(Date.UTC(2024, 0, 1, 12)),
    local: '2024-01-01T12:00:00',
    tags: ['a', null, 'c'],
    required: 'yes',
  };
}

const asArray = (row: Record<string, unknown>): unknown[] => events.columns.map((column) => row[column.name]);

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

/** The words of a value error's message: column, table, row and batch. */
const at = (column: string, row = 3): string[] => [`column "${column}"`, `table ${SCHEMA}.${TABLE}`, `row ${row} of batch 2`];
const valueDetails = (column: string, row = 3) => ({ schema: SCHEMA, table: TABLE, column, batch: 2, row });

// ---------------------------------------------------------------------------------------------
// 1. Rows and values. Batch 2 is [good, good, <the row>]: the bad row is row 3 of batch 2.
// ---------------------------------------------------------------------------------------------

interface RowCase extends ExpectedError {
  readonly row: unknown;
  readonly options?: IngestOptions;
}

const ROWS: Record<string, RowCase> = {
  // The row's shape
  'a row with too many values': { row: [...asArray(good(3)), 'extra'], error: WrongValueCountError, type: 'WrongValueCount', names: [`table ${SCHEMA}.${TABLE}`, 'row 3 of batch 2', '17'], details: { batch: 2, row: 3 } },
  'a row with too few values': { row: asArray(good(3)).slice(0, -1), error: WrongValueCountError, type: 'WrongValueCount', names: [`table ${SCHEMA}.${TABLE}`, 'row 3 of batch 2', '15'], details: { batch: 2, row: 3 } },
  'an empty row': { row: [], error: WrongValueCountError, type: 'WrongValueCount', names: ['row 3 of batch 2'], details: { batch: 2, row: 3 } },
  'an object row with a key that is no column': { row: { ...good(3), colour: 'red' }, error: UnknownColumnError, type: 'UnknownColumn', names: ['"colour"', `table ${SCHEMA}.${TABLE}`, 'row 3 of batch 2'], details: { batch: 2, row: 3 } },
  'a row that is null': { row: null, error: InvalidRowError, type: 'InvalidRow', names: ['row 3 of batch 2'], details: { batch: 2, row: 3 } },
  'a row that is a string': { row: '3,30,7', error: InvalidRowError, type: 'InvalidRow', names: ['row 3 of batch 2'], details: { batch: 2, row: 3 } },
  'a row that is a Map': { row: new Map(Object.entries(good(3))), error: InvalidRowError, type: 'InvalidRow', names: ['row 3 of batch 2'], details: { batch: 2, row: 3 } },

  // Wrong types
  'text into an integer column': { row: { ...good(3), n: 'twelve' }, error: InvalidValueError, type: 'InvalidValue', names: at('n'), details: valueDetails('n') },
  '5.7 into an integer column (never truncated to 5)': { row: { ...good(3), n: 5.7 }, error: InvalidValueError, type: 'InvalidValue', names: [...at('n'), '5.7 is not an integer'], details: valueDetails('n') },
  'a boolean into an integer column': { row: { ...good(3), n: true }, error: InvalidValueError, type: 'InvalidValue', names: at('n'), details: valueDetails('n') },
  'Infinity into an integer column': { row: { ...good(3), n: Infinity }, error: InvalidValueError, type: 'InvalidValue', names: at('n'), details: valueDetails('n') },
  'an integer beyond smallint': { row: { ...good(3), small: 40_000 }, error: ValueOutOfRangeError, type: 'ValueOutOfRange', names: [...at('small'), 'outside the range of smallint'], details: valueDetails('small') },
  'a number past 2^53 into bigint (digits already lost)': { row: { ...good(3), big: 2 ** 53 + 2 }, error: InvalidValueError, type: 'InvalidValue', names: at('big'), details: valueDetails('big') },
  'a string too long for varchar(4)': { row: { ...good(3), code: 'abcde' }, error: ValueOutOfRangeError, type: 'ValueOutOfRange', names: [...at('code'), 'varchar(4)'], details: valueDetails('code') },
  'too many integer digits for numeric(6,2)': { row: { ...good(3), amount: 12345.6 }, error: ValueOutOfRangeError, type: 'ValueOutOfRange', names: at('amount'), details: valueDetails('amount') },
  'a malformed decimal into numeric': { row: { ...good(3), amount: '1.2.3' }, error: InvalidValueError, type: 'InvalidValue', names: at('amount'), details: valueDetails('amount') },
  'a string into boolean': { row: { ...good(3), flag: 'true' }, error: InvalidValueError, type: 'InvalidValue', names: at('flag'), details: valueDetails('flag') },
  'a number into text': { row: { ...good(3), label: 42 }, error: InvalidValueError, type: 'InvalidValue', names: at('label'), details: valueDetails('label') },
  'a non-string array element into text[]': { row: { ...good(3), tags: ['a', 2] }, error: InvalidValueError, type: 'InvalidValue', names: at('tags'), details: valueDetails('tags') },

  // "Invalid JSON": a JavaScript value JSON cannot represent (a JS string is a JSON string value, never parsed)
  'a cyclic object into jsonb': { row: { ...good(3), doc: cyclic }, error: InvalidValueError, type: 'InvalidValue', names: [...at('doc'), 'cannot be written as JSON'], details: valueDetails('doc') },
  'a BigInt inside a json value': { row: { ...good(3), raw: { n: 1n } }, error: InvalidValueError, type: 'InvalidValue', names: [...at('raw'), 'BigInt'], details: valueDetails('raw') },
  'a function as a jsonb value': { row: { ...good(3), doc: () => 1 }, error: InvalidValueError, type: 'InvalidValue', names: at('doc'), details: valueDetails('doc') },
  'a symbol as a json value': { row: { ...good(3), raw: Symbol('s') }, error: InvalidValueError, type: 'InvalidValue', names: at('raw'), details: valueDetails('raw') },
  'NaN as a jsonb value': { row: { ...good(3), doc: NaN }, error: InvalidValueError, type: 'InvalidValue', names: [...at('doc'), 'finite'], details: valueDetails('doc') },

  // UUIDs, dates and times
  'a malformed UUID': { row: { ...good(3), uid: 'not-a-uuid' }, error: InvalidValueError, type: 'InvalidValue', names: [...at('uid'), 'not a UUID'], details: valueDetails('uid') },
  'a UUID with a non-hex digit': { row: { ...good(3), uid: 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }, error: InvalidValueError, type: 'InvalidValue', names: at('uid'), details: valueDetails('uid') },
  'an impossible date (2023-02-29)': { row: { ...good(3), day: '2023-02-29' }, error: InvalidValueError, type: 'InvalidValue', names: at('day'), details: valueDetails('day') },
  "a date past PostgreSQL's last date": { row: { ...good(3), day: '5874898-01-01' }, error: ValueOutOfRangeError, type: 'ValueOutOfRange', names: at('day'), details: valueDetails('day') },
  "a timestamp past PostgreSQL's range": { row: { ...good(3), local: '294277-01-01T00:00:00' }, error: ValueOutOfRangeError, type: 'ValueOutOfRange', names: at('local'), details: valueDetails('local') },
  'an invalid Date object': { row: { ...good(3), at: new Date(Number.NaN) }, error: InvalidValueError, type: 'InvalidValue', names: at('at'), details: valueDetails('at') },
  'a timestamptz string without an offset (ambiguous)': { row: { ...good(3), at: '2024-01-01 10:00' }, error: InvalidValueError, type: 'InvalidValue', names: [...at('at'), 'no UTC offset'], details: valueDetails('at') },

  // Characters PostgreSQL cannot store (§2.9 of the peer notes: the peer fails mid-COPY or in its encoder)
  'a NUL character in text': { row: { ...good(3), label: 'a\0b' }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('label'), 'NUL'], details: valueDetails('label') },
  'a NUL character in a text[] element': { row: { ...good(3), tags: ['ok', 'x\0'] }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('tags'), 'NUL'], details: valueDetails('tags') },
  'a NUL character inside a jsonb string': { row: { ...good(3), doc: { a: ['\0'] } }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('doc'), 'NUL'], details: valueDetails('doc') },
  'a NUL character in a json key': { row: { ...good(3), raw: { 'k\0': 1 } }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('raw'), 'NUL'], details: valueDetails('raw') },
  'a lone high surrogate in text': { row: { ...good(3), label: 'a\ud800' }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('label'), 'surrogate'], details: valueDetails('label') },
  'a lone low surrogate in a text[] element': { row: { ...good(3), tags: ['\udc00'] }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('tags'), 'surrogate'], details: valueDetails('tags') },
  'a lone surrogate inside a jsonb value': { row: { ...good(3), doc: { a: 'x\udbff' } }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('doc'), 'surrogate'], details: valueDetails('doc') },
  'a NUL character in varchar': { row: { ...good(3), code: '\0' }, error: UnsupportedCharacterError, type: 'UnsupportedCharacter', names: [...at('code'), 'NUL'], details: valueDetails('code') },

  // What only the server can check
  'NULL in a NOT NULL column': { row: { ...good(3), required: null }, error: RowRejectedError, type: 'RowRejected', names: [`${SCHEMA}.${TABLE}`, 'row 3', 'batch 2', 'required'], details: { batch: 2, row: 3, column: 'required', sqlstate: '23502' } },
  'no primary key value': { row: { ...good(3), id: null }, error: RowRejectedError, type: 'RowRejected', names: [`${SCHEMA}.${TABLE}`, 'row 3', 'batch 2', 'id'], details: { batch: 2, row: 3, column: 'id', sqlstate: '23502' } },
  "a key already stored, with upsert: 'off'": { row: good(1), options: { upsert: 'off' }, error: RowRejectedError, type: 'RowRejected', names: [`${SCHEMA}.${TABLE}`, 'row 3', 'batch 2'], details: { batch: 2, row: 3, sqlstate: '23505' } },
};

// ---------------------------------------------------------------------------------------------
// 2. Batches and watermarks: batch 2 itself is bad.
// ---------------------------------------------------------------------------------------------

interface BatchCase extends ExpectedError {
  /** Batch 2 (rows 3 and 4 unless the case says otherwise). */
  readonly batch: () => unknown;
}

const rows34 = () => [good(3), good(4)];
function* failingRows(cause: Error) {
  yield good(3);
  yield good(4);
  throw cause;
}
async function* failingAsyncRows() {
  yield good(3);
  await new Promise((resolve) => setTimeout(resolve, 5));
  yield good(4);
  throw new Error('socket hang up');
}
const nonRetryable = Object.assign(new Error('the export was deleted'), { nonRetryable: true });

const BATCHES: Record<string, BatchCase> = {
  'a watermark that is undefined': { batch: () => ({ highWatermark: undefined, rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2', 'high watermark'], details: { batch: 2 } },
  'a watermark that is a BigInt': { batch: () => ({ highWatermark: 10n, rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2', 'high watermark'], details: { batch: 2 } },
  'a watermark that is a Date (JSON would turn it into a string)': { batch: () => ({ highWatermark: new Date(0), rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2'], details: { batch: 2 } },
  'a watermark holding NaN': { batch: () => ({ highWatermark: { after: NaN }, rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2'], details: { batch: 2 } },
  'a watermark with a cycle': { batch: () => ({ highWatermark: cyclic, rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2'], details: { batch: 2 } },
  'a watermark function returning a Map (after the rows streamed)': { batch: () => ({ highWatermark: () => new Map([['a', 1]]), rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2'], details: { batch: 2 } },
  'a watermark function that throws': { batch: () => ({ highWatermark: () => { throw new Error('clock broke'); }, rows: rows34() }), error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: false, names: ['batch 2', 'clock broke'], details: { batch: 2 } },
  'a batch that is null': { batch: () => null, error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2'], details: { batch: 2 } },
  'a batch without a watermark': { batch: () => ({ rows: rows34() }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2', 'highWatermark'], details: { batch: 2 } },
  'rows that are not iterable': { batch: () => ({ highWatermark: 2, rows: 42 }), error: InvalidBatchError, type: 'InvalidBatch', names: ['batch 2', 'iterable'], details: { batch: 2 } },
  'rows that throw mid-batch (retryable: the source may work next time)': { batch: () => ({ highWatermark: 2, rows: failingRows(new Error('connection to the API lost')) }), error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: false, names: ['batch 2', 'connection to the API lost'], details: { batch: 2, row: 3 } },
  'async rows that reject mid-batch': { batch: () => ({ highWatermark: 2, rows: failingAsyncRows() }), error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: false, names: ['batch 2', 'socket hang up'], details: { batch: 2, row: 3 } },
  'rows that throw an error marked nonRetryable': { batch: () => ({ highWatermark: 2, rows: failingRows(nonRetryable) }), error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: true, names: ['batch 2', 'the export was deleted'], details: { batch: 2, row: 3 } },
  'a source that throws between two batches': { batch: () => { throw new Error('page 2 failed'); }, error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: false, names: ['batch 2', 'page 2 failed'], details: { batch: 2 } },
  'a multi-table row for a table not in the ingest': { batch: () => ({ highWatermark: 2, rows: [good(3)] }), error: UnknownTableError, type: 'UnknownIngestTable', names: ['batch 2'], details: { batch: 2 } },
};

// ---------------------------------------------------------------------------------------------
// 3. Sources that fail around the batches
// ---------------------------------------------------------------------------------------------

interface SourceCase extends ExpectedError {
  /** The whole `batches` argument; nothing of it may be written. */
  readonly batches: IngestBatches;
  readonly options?: IngestOptions;
}

const SOURCES: Record<string, SourceCase> = {
  'a source that throws when called': { batches: () => { throw new Error('credentials expired'); }, error: BatchSourceError, type: 'BatchSourceFailed', nonRetryable: false, names: ['batch source', 'credentials expired'], details: { batch: 1 } },
  'a highWatermark option that is not JSON': { batches: () => [], options: { highWatermark: 5n as never }, error: InvalidIngestOptionError, type: 'InvalidIngestOption', names: ['highWatermark', 'bigint'], details: { option: 'highWatermark' } },
  'a source that returns something not iterable': { batches: (() => 42) as unknown as IngestBatches, error: InvalidIngestOptionError, type: 'InvalidIngestOption', names: ['iterable'] },
};

// ---------------------------------------------------------------------------------------------
// 4. Definitions: nothing may be created.
// ---------------------------------------------------------------------------------------------

interface DefinitionCase extends ExpectedError {
  readonly definition: unknown;
  /** SQL run first (e.g. a view taking the table's name). */
  readonly setup?: string;
}

const def = (columns: unknown[], extra: Record<string, unknown> = {}): unknown => ({ schema: 'defs', name: 'target', columns, ...extra });
const id = { name: 'id', type: 'integer', primaryKey: true };

const DEFINITIONS: Record<string, DefinitionCase> = {
  'two columns with the same name': { definition: def([id, { name: 'v', type: 'text' }, { name: 'v', type: 'int' }]), error: DuplicateColumnError, type: 'DuplicateColumn', names: ['defs.target', '"v"'], details: { table: 'defs.target', column: 'v' } },
  'a primary key on a nullable column': { definition: def([{ ...id, nullable: true }]), error: NullablePrimaryKeyError, type: 'NullablePrimaryKey', names: ['defs.target', '"id"'], details: { table: 'defs.target', column: 'id' } },
  'no columns': { definition: def([]), error: NoColumnsError, type: 'TableWithoutColumns', names: ['defs.target'], details: { table: 'defs.target' } },
  'no schema (there is no implicit public)': { definition: { name: 'target', columns: [id] }, error: MissingTableNameError, type: 'MissingTableName', names: ['schema'] },
  'a misspelt field': { definition: def([id], { colums: [] }), error: MalformedDefinitionError, type: 'MalformedTableDefinition', names: ['defs.target', 'colums'] },
  'nullable given as a string': { definition: def([{ name: 'v', type: 'text', nullable: 'no' }]), error: MalformedDefinitionError, type: 'MalformedTableDefinition', names: ['"v"', 'nullable'] },
  'a type that is not a string': { definition: def([{ name: 'v', type: 42 }]), error: MalformedDefinitionError, type: 'MalformedTableDefinition', names: ['"v"', 'type'] },
  'an index on a column the table lacks': { definition: def([id], { indexes: [{ columns: ['missing'] }] }), error: UnknownIndexColumnError, type: 'UnknownIndexColumn', names: ['defs.target', '"missing"'], details: { column: 'missing' } },
  'the same index twice': { definition: def([id, { name: 'v', type: 'text' }], { indexes: [{ columns: ['v'] }, { columns: ['v'] }] }), error: DuplicateIndexError, type: 'DuplicateIndex', names: ['defs.target'] },
  'an index method with SQL in it': { definition: def([id], { indexes: [{ columns: ['id'], using: 'btree; DROP TABLE canary.canary' }] }), error: InvalidIndexMethodError, type: 'InvalidIndexMethod', names: ['defs.target', 'access-method'] },
  'an index predicate smuggling a second statement': { definition: def([id], { indexes: [{ columns: ['id'], where: 'true); DROP TABLE canary.canary; --' }] }), error: DefinitionRejectedError, type: 'TableDefinitionRejected', names: ['defs.target'] },

  // Type strings that are not types
  'a type carrying SQL': { definition: def([id, { name: 'v', type: 'int); DROP TABLE canary.canary; --' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"', 'defs.target'], details: { table: 'defs.target', column: 'v' } },
  'a type followed by a second statement': { definition: def([id, { name: 'v', type: 'text; SELECT 1' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"'], details: { column: 'v' } },
  'a type that does not exist': { definition: def([id, { name: 'v', type: 'notatype' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"', 'does not exist'], details: { column: 'v' } },
  'serial (CREATE TABLE shorthand, not a type)': { definition: def([{ name: 'id', type: 'serial', primaryKey: true }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"id"', 'integer'], details: { column: 'id' } },
  'a pseudo-type': { definition: def([id, { name: 'v', type: 'record' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"', 'pseudo-type'], details: { column: 'v' } },
  'two type names': { definition: def([id, { name: 'v', type: 'integer integer' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"'], details: { column: 'v' } },
  'an unclosed array type': { definition: def([id, { name: 'v', type: 'int[' }]), error: InvalidColumnTypeError, type: 'InvalidColumnType', names: ['"v"'], details: { column: 'v' } },
  'an empty type': { definition: def([id, { name: 'v', type: '' }]), error: MalformedDefinitionError, type: 'MalformedTableDefinition', names: ['"v"', 'type'] },

  // Identifiers PostgreSQL cannot keep as given
  'a table name of 64 bytes (PostgreSQL would truncate it)': { definition: { schema: 'defs', name: 'x'.repeat(64), columns: [id] }, error: InvalidIdentifierError, type: 'InvalidIdentifier', names: ['64 bytes'] },
  'a column name of 16 emoji (64 bytes)': { definition: def([id, { name: '🐘'.repeat(16), type: 'text' }]), error: InvalidIdentifierError, type: 'InvalidIdentifier', names: ['64 bytes'] },
  'an empty column name': { definition: def([id, { name: '', type: 'text' }]), error: InvalidIdentifierError, type: 'InvalidIdentifier', names: ['empty'] },
  'a NUL character in a column name': { definition: def([id, { name: 'a\0b', type: 'text' }]), error: InvalidIdentifierError, type: 'InvalidIdentifier', names: ['NUL'] },
  'a lone surrogate in a schema name': { definition: { schema: 'defs\ud800', name: 'target', columns: [id] }, error: InvalidIdentifierError, type: 'InvalidIdentifier', names: ['surrogate'] },

  // A name taken by something else
  'a name taken by a view': { definition: { schema: 'canary', name: 'canary_view', columns: [id] }, error: NotATableError, type: 'NotATable', names: ['canary.canary_view'] },
};

// ---------------------------------------------------------------------------------------------
// Running the catalogue
// ---------------------------------------------------------------------------------------------

/** A canary next to everything, which a smuggled statement would drop. */
async function canary(): Promise<void> {
  await db.pool.query(`CREATE SCHEMA IF NOT EXISTS canary; CREATE TABLE IF NOT EXISTS canary.canary (x int); CREATE OR REPLACE VIEW canary.canary_view AS SELECT x FROM canary.canary`);
}

/** Runs an ingest whose batch 1 (rows 1 and 2 … of events) commits, snapshots, then hands out `second`. */
async function failAtBatchTwo(second: () => unknown, options: IngestOptions = {}, tables: TableDefinition | TableDefinition[] = events): Promise<{ failure: unknown; before: DatabaseSnapshot }> {
  await db.pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  await canary();
  let before: DatabaseSnapshot | undefined;
  const multi = Array.isArray(tables);
  const source: IngestBatches = async function* () {
    yield { highWatermark: 1, rows: multi ? [[events, good(1)], [events, good(2)]] : [good(1), good(2)] } as IngestBatch;
    // Batch 1 is committed once the ingest asks for batch 2.
    before = await snapshotDatabase(db.pool);
    yield second() as IngestBatch;
  };
  const failure = await ingest(db.pool, tables, source, options).then(
    () => new Error('expected the ingest to fail'),
    (error: unknown) => error,
  );
  if (before === undefined) throw new Error(`batch 1 failed: ${String(failure)}`);
  return { failure, before };
}

describe('bad rows and values: typed error naming table, column, batch and row; batch 2 leaves no trace', () => {
  it.each(Object.keys(ROWS))('%s', async (name) => {
    const entry = ROWS[name]!;
    const { failure, before } = await failAtBatchTwo(() => ({ highWatermark: 2, rows: [good(3), good(4), entry.row] }), entry.options);
    expectError(failure, entry);
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });
});

describe('bad batches and watermarks: typed error naming the batch; it leaves no trace', () => {
  it.each(Object.keys(BATCHES))('%s', async (name) => {
    const entry = BATCHES[name]!;
    const multi = name.startsWith('a multi-table row');
    const other: TableDefinition = { schema: SCHEMA, name: 'other', columns: [{ name: 'x', type: 'int' }] };
    const batch = multi ? () => ({ highWatermark: 2, rows: [[{ schema: SCHEMA, name: 'nope' }, good(3)]] }) : entry.batch;
    const { failure, before } = await failAtBatchTwo(batch, {}, multi ? [events, other] : events);
    expectError(failure, entry);
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });
});

describe('failing sources: typed error naming the batch; nothing of theirs is written', () => {
  it.each(Object.keys(SOURCES))('%s', async (name) => {
    const entry = SOURCES[name]!;
    await db.pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    await ingest(db.pool, events, () => [{ highWatermark: 1, rows: [good(1), good(2)] }]);
    const before = await snapshotDatabase(db.pool);
    const failure = await ingest(db.pool, events, entry.batches, entry.options).catch((error: unknown) => error);
    expectError(failure, entry);
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });
});

describe('bad definitions: typed error naming the table and column; nothing is created', () => {
  it.each(Object.keys(DEFINITIONS))('%s', async (name) => {
    const entry = DEFINITIONS[name]!;
    await db.pool.query('DROP SCHEMA IF EXISTS defs CASCADE; CREATE SCHEMA defs');
    await canary();
    const before = await snapshotDatabase(db.pool);
    const failure = await ingest(db.pool, entry.definition as TableDefinition, () => [{ highWatermark: 1, rows: [{ id: 1 }] }]).catch((error: unknown) => error);
    expectError(failure, entry);
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });
});

describe('a table whose comment is not a JSON object', () => {
  it.each(['hello, this table is precious', '[1, 2]', '{"pg-bulk-ingest": 5}'])('refuses to overwrite %j: InvalidTableComment naming the table', async (comment) => {
    await db.pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    await ingest(db.pool, events, () => [{ highWatermark: 1, rows: [good(1)] }]);
    await db.pool.query(`COMMENT ON TABLE ${SCHEMA}.${TABLE} IS ${await literal(comment)}`);
    const before = await snapshotDatabase(db.pool);
    const failure = await ingest(db.pool, events, () => [{ highWatermark: 2, rows: [good(2)] }]).catch((error: unknown) => error);
    expectError(failure, { error: InvalidTableCommentError, type: 'InvalidTableComment', names: [`${SCHEMA}.${TABLE}`] });
    expect(await snapshotDatabase(db.pool)).toEqual(before);
  });
});

/** `"schema"."name"` as the server quotes it (the snapshot's keys). */
async function relationKey(schema: string, name: string): Promise<string> {
  const { rows } = await db.pool.query<{ key: string }>(`SELECT format('%I.%I', $1::text, $2::text) AS key`, [schema, name]);
  return rows[0]!.key;
}

async function literal(text: string): Promise<string> {
  const { rows } = await db.pool.query<{ q: string }>('SELECT quote_literal($1) AS q', [text]);
  return rows[0]!.q;
}

// ---------------------------------------------------------------------------------------------
// 5. Not bad input: hostile-looking names work, and create exactly those names
// ---------------------------------------------------------------------------------------------

/** Names that break naive SQL building. Each must become exactly that identifier. */
const HOSTILE = {
  schema: `'); DROP SCHEMA canary CASCADE; --`,
  table: 'user', // reserved: must be quoted, and then works
  columns: {
    key: 'select', // reserved
    injection: 'x"; DROP TABLE canary.canary; --',
    dot: 'a.b',
    space: 'with space',
    emoji: '🐘 émoji',
    quotes: `it's "quoted"`,
    mixed: 'MixedCase',
    dollar: '$1',
    backslash: '\\N',
    reserved: 'from',
    longest: `${'é'.repeat(31)}x`, // 63 bytes: the longest name PostgreSQL keeps whole
  },
  index: 'idx"; DROP TABLE canary.canary; --',
  view: 'v"; DROP VIEW canary.canary_view; --',
} as const;

function hostileDefinition(keyType: string): TableDefinition {
  const c = HOSTILE.columns;
  return {
    schema: HOSTILE.schema,
    name: HOSTILE.table,
    columns: [
      { name: c.key, type: keyType, primaryKey: true },
      ...[c.injection, c.dot, c.space, c.emoji, c.quotes, c.mixed, c.backslash, c.reserved, c.longest].map((name) => ({ name, type: 'text' })),
      { name: c.dollar, type: 'integer' },
    ],
    indexes: [{ columns: [c.dot, c.space] }, { columns: [c.mixed], unique: true, name: HOSTILE.index }],
  };
}

const hostileRow = (key: number): unknown[] => [key, 'a', 'b', 'c', 'd', 'e', `m${key}`, 'f', 'g', 'h', key];

describe('hostile names are not bad input', () => {
  it('quotes, dots, spaces, emoji, SQL fragments and reserved words create exactly those names and nothing else, through creation, upsert and a rebuild with a swap', async () => {
    await canary();
    const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const key = (relation: string) => relationKey(HOSTILE.schema, relation);
    const target = await key(HOSTILE.table);
    const before = await snapshotDatabase(db.pool);

    const created = await ingest(db.pool, hostileDefinition('integer'), () => [
      { highWatermark: 'one', rows: [hostileRow(1), hostileRow(2)] },
      { highWatermark: 'two', rows: [hostileRow(2), hostileRow(3)] },
    ]);
    expect(created.tables[0]?.migration).toBe('create');
    const afterCreate = await snapshotDatabase(db.pool);
    expect(afterCreate.schemas).toEqual([...before.schemas, HOSTILE.schema].sort());
    const added = Object.keys(afterCreate.relations).filter((k) => !(k in before.relations));
    // The table, its key, the named index and the unnamed one (PostgreSQL's choice of name): nothing else.
    expect(added.sort()).toEqual([target, await key(HOSTILE.index), await key('user_a.b_with space_idx'), await key('user_pkey')].sort());
    // Everything that existed is as it was (the canary schema, table and view included).
    for (const [k, relation] of Object.entries(before.relations)) expect(afterCreate.relations[k]).toEqual(relation);
    const table = afterCreate.relations[target]!;
    const { rows: quoted } = await db.pool.query<{ name: string }>('SELECT quote_ident(unnest($1::text[])) AS name', [hostileDefinition('integer').columns.map((column) => column.name)]);
    expect(table.columns).toEqual(hostileDefinition('integer').columns.map((column, i) => `${quoted[i]?.name} ${column.type}${column.primaryKey ? ' NOT NULL' : ''}`));
    expect(table.rows).toHaveLength(3);

    // The same definition again changes nothing; a key type change rebuilds and swaps, carrying a view with a hostile name.
    const again = await ingest(db.pool, hostileDefinition('integer'), () => [{ highWatermark: 'three', rows: [hostileRow(4)] }]);
    expect(again.tables[0]?.migration).toBe('none');
    await db.pool.query(`CREATE VIEW ${q(HOSTILE.schema)}.${q(HOSTILE.view)} AS SELECT ${q(HOSTILE.columns.key)}, ${q(HOSTILE.columns.injection)} FROM ${target}`);
    const rebuilt = await ingest(db.pool, hostileDefinition('bigint'), () => [{ highWatermark: 'four', rows: [hostileRow(5)] }]);
    expect(rebuilt.tables[0]?.migration).toBe('rebuild');
    expect(rebuilt.swapped).toBe(true);

    const after = await snapshotDatabase(db.pool);
    expect(Object.keys(after.relations).filter((k) => !(k in before.relations)).sort()).toEqual([...added, await key(HOSTILE.view)].sort());
    for (const [k, relation] of Object.entries(before.relations)) expect(after.relations[k]).toEqual(relation);
    const { rows } = await db.pool.query({ text: `SELECT * FROM ${q(HOSTILE.schema)}.${q(HOSTILE.view)} ORDER BY 1`, rowMode: 'array' });
    expect(rows).toEqual([1, 2, 3, 4, 5].map((key) => [String(key), 'a']));
    expect(after.relations[target]?.comment).toContain('"four"');
  });

  it('names of the maximum length (63 bytes) keep their keys and indexes through a rebuild', async () => {
    const schema = `${'ß'.repeat(31)}s`; // 63 bytes
    const name = `${'t'.repeat(61)}ü`; // 63 bytes
    expect(Buffer.byteLength(schema)).toBe(63);
    expect(Buffer.byteLength(name)).toBe(63);
    const column = `${'k'.repeat(61)}ü`; // 63 bytes
    const definition = (type: string): TableDefinition => ({
      schema,
      name,
      columns: [{ name: column, type, primaryKey: true }, { name: 'v', type: 'text', unique: true }],
      indexes: [{ columns: ['v', column] }],
    });
    await ingest(db.pool, definition('integer'), () => [{ highWatermark: 1, rows: [[1, 'a']] }]);
    const before = await snapshotDatabase(db.pool);
    const report = await ingest(db.pool, definition('bigint'), () => [{ highWatermark: 2, rows: [[2, 'b']] }]);
    expect(report.tables[0]?.migration).toBe('rebuild');
    const after = await snapshotDatabase(db.pool);
    // The same relations (keys and indexes under their names), no fresh table left.
    expect(Object.keys(after.relations).sort()).toEqual(Object.keys(before.relations).sort());
    const key = Object.keys(after.relations).find((k) => after.relations[k]?.kind === 'r' && k.includes('ü'))!;
    expect(after.relations[key]?.rows).toEqual(['(1,a)', '(2,b)']);
    expect(after.relations[key]?.constraints.map((c) => c.split(' ')[0])).toEqual(before.relations[key]?.constraints.map((c) => c.split(' ')[0]));
  });
});
