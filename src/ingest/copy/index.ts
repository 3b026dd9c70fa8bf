/**
 * The COPY layer of the ingest engine: type-checked rows → binary (or text) COPY, streamed.
 *
 *   const columns = await readCopyColumns(pool, { schema: 'public', name: 'events' });
 *   const plan = await prepareCopy(pool, { schema: 'public', name: 'events' }, columns);
 *   const { rows, bytes } = await copyRows(client, plan, rowsIterable, { batch: 3, signal });
 *
 * @module
 */
export { copyRows, type CopyProgress, type CopyResult, type CopyRowsOptions } from './copy-rows.js';
export {
  ColumnTypeNotFoundError,
  InvalidRowError,
  InvalidValueError,
  TableNotFoundError,
  UnknownColumnError,
  UnsupportedCharacterError,
  ValueOutOfRangeError,
  WrongValueCountError,
} from './errors.js';
export { JsonNull, jsonNull } from './json-null.js';
export {
  planCopy,
  prepareCopy,
  readCopyColumns,
  retargetCopyPlan,
  type CopyColumn,
  type CopyPlan,
  type LiveCopyColumn,
  type PlannedColumn,
  type PrepareCopyOptions,
  type Queryable,
  type TypeFacts,
} from './plan.js';
export { escapeCopyText, RowEncoder, type CopyRow } from './row-encoder.js';
export type { Codec } from './codec.js';
export type { CopyFormat } from './copy-sql.js';
