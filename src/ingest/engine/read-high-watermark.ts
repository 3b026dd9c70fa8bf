/**
 * `readHighWatermark`: what the next ingest with `highWatermark: 'latest'` would start from.
 */
import type { Queryable } from '../../db/queryable.js';
import type { TableDefinition } from '../definition/table-definition.js';
import { firstComment, readTables } from './ledger.js';
import { ingestTables } from './plan-ingest.js';
import type { JsonValue } from './types.js';

/**
 * The high watermark stored with the first table (pg-bulk-ingest's comment format, so it reads
 * what either tool stored), or `null` when the table does not exist or stores none. Reads the
 * catalog only.
 *
 * @throws InvalidTableCommentError when the comment is not a JSON object.
 */
export async function readHighWatermark(db: Queryable, tables: TableDefinition | readonly TableDefinition[]): Promise<JsonValue> {
  const definitions = ingestTables(tables).slice(0, 1);
  return firstComment(await readTables(db, definitions))?.watermark ?? null;
}
