/**
 * `abandonIngest`: what an ingest that will not go on leaves behind is removed — its fresh tables,
 * with the batches they hold and the watermark that came with them. Batches committed straight into
 * their tables stay, and so does their watermark: data and watermark still agree.
 */
import type { Queryable } from '../../db/queryable.js';
import { displayName } from '../../sql/identifier.js';
import { dropTable } from './ingest-sql.js';
import { readTables } from './ledger.js';
import { silentLogger } from './progress.js';
import { inTransaction, takeIngestLocks, withSession } from './session.js';
import type { IngestLogger, IngestPlan } from './types.js';

/**
 * Drops every fresh table of `plan`'s ingest (recognised by the ingest id in its comment; fresh
 * tables of other ingests are left alone), in one transaction under the tables' ingest locks, and
 * returns their display names. Harmless to repeat. Used by the ingest workflow when it is cancelled
 * or fails; the library `ingest` leaves them to the next ingest of the table, which drops them.
 */
export async function abandonIngest(db: Queryable, plan: IngestPlan, options: { readonly logger?: IngestLogger; readonly signal?: AbortSignal } = {}): Promise<string[]> {
  const logger = options.logger ?? silentLogger;
  return withSession(db, options.signal, (client) =>
    inTransaction(client, async () => {
      await takeIngestLocks(client, plan.tables.map(({ schema, name }) => ({ schema, name })), 'transaction', 'wait');
      const dropped: string[] = [];
      for (const table of await readTables(client, plan.tables)) {
        if (table.freshFacts.oid === null || table.freshOwner !== plan.ingestId) continue;
        await client.query(dropTable(table.fresh));
        dropped.push(displayName(table.fresh));
        logger.info(`dropped ${displayName(table.fresh)}, the fresh table of ${displayName(table.target)}, with the batches it held`, { table: displayName(table.target) });
      }
      return dropped;
    }),
  );
}
