/**
 * No secret in what Temporal keeps or the worker logs: the worker's databases are pools whose
 * connection strings carry passwords (the right one, a wrong one, one for a server that is not
 * there); ingest workflows that succeed, fail on a bad row, fail to log in and fail to connect, and
 * force-execute workflows that succeed and fail, leave histories — inputs, activity inputs and
 * results, heartbeats, failures with their causes and stack traces — and activity logs in which
 * neither a password nor a connection string occurs. Workflows name databases; connection strings
 * stay in the worker.
 */
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { executeForceExecute, executeIngest, type IngestInput } from '../../src/client/index.js';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal, type WorkerContext } from '../helpers/temporal.js';
import { sources } from '../e2e/fixtures/sources.js';
import { numbersTable, packageWorkflows, recordingLogger, workflowFailure } from '../e2e/helpers.js';

const db = useTestDatabase();
const temporal = useTemporal({ workflowsPath: packageWorkflows });

/**
 * A history as text, every payload decoded: payloads are bytes (JSON inside), which the history's
 * own JSON form writes in base64, where no secret could ever be found.
 */
function historyText(history: unknown): string {
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value).map(([key, inner]) => [key, decode(inner)] as const);
    const isPayload = 'metadata' in value && 'data' in value;
    return Object.fromEntries(isPayload ? entries.map(([key, inner]) => [key, base64Text(inner)]) : entries);
  };
  return JSON.stringify(decode(JSON.parse(JSON.stringify(history))));
}

/** A payload's `data` (or each of its `metadata` values) as text. */
function base64Text(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, base64Text(inner)]));
  return value;
}

/** The secrets of `url`: itself, its password, and both as they may be escaped or decoded. */
function secretsOf(url: string): string[] {
  const password = new URL(url).password;
  return [...new Set([url, decodeURIComponent(url), password, decodeURIComponent(password), encodeURIComponent(decodeURIComponent(password))])];
}

describe('no password or connection string in workflow histories or worker logs', () => {
  it('ingests and force-executes, succeeding and failing, over databases given with passwords', async () => {
    const role = await db.createRole('history_etl', { superuser: true });
    const wrongPassword = new URL(role.url);
    wrongPassword.password = 'Wr0ng-hist0ry-Pa55';
    const nowhere = new URL(role.url);
    nowhere.password = 'N0where-hist0ry-Pa55';
    nowhere.port = '1';
    const secrets = [...secretsOf(role.url), ...secretsOf(wrongPassword.toString()), ...secretsOf(nowhere.toString())];
    expect(secrets.every((secret) => secret.length >= 8)).toBe(true);

    const databases = {
      default: db.newPool({ connectionString: role.url, max: 4 }),
      wrong: db.newPool({ connectionString: wrongPassword.toString(), max: 1 }),
      nowhere: db.newPool({ connectionString: nowhere.toString(), max: 1 }),
    };
    const logger = recordingLogger();
    const ids: string[] = [];
    const table = (name: string) => numbersTable('public', name, { primaryKey: true });
    const ingestOf = (name: string, input: Partial<IngestInput> = {}): IngestInput => ({
      tables: table(name),
      source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10 } },
      activities: { maximumAttempts: 2 },
      ...input,
    });

    await temporal.withWorker({ activities: createActivities({ databases, sources, logger }) }, async ({ client, taskQueue }: WorkerContext) => {
      const run = (label: string) => {
        const workflowId = temporal.workflowId(label);
        ids.push(workflowId);
        return { taskQueue, workflowId };
      };
      expect(await executeIngest(client, ingestOf('secret_ok'), run('ingest-ok'))).toMatchObject({ batches: 3, rows: 30 });
      const badRow = await workflowFailure(executeIngest(client, ingestOf('secret_bad_row', { source: { name: 'numbers', args: { batches: 3, rowsPerBatch: 10, badBatch: 2 } } }), run('ingest-bad-row')));
      expect(badRow.type).toBe('InvalidValue');
      const refused = await workflowFailure(executeIngest(client, ingestOf('secret_refused', { database: 'wrong' }), run('ingest-wrong-password')));
      expect(refused.message).toMatch(/password authentication failed/);
      const unreachable = await workflowFailure(executeIngest(client, ingestOf('secret_unreachable', { database: 'nowhere' }), run('ingest-unreachable')));
      expect(unreachable.message).toMatch(/ECONNREFUSED|connect/i);
      const forced = await executeForceExecute(client, { statements: 'CREATE TABLE public.secret_forced (id int)', delayMs: 1000 }, run('force-ok'));
      expect(forced.statements).toEqual([{ command: 'CREATE', rowCount: null }]);
      const forceFailed = await workflowFailure(executeForceExecute(client, { database: 'nowhere', statements: 'SELECT 1', delayMs: 1000, activities: { maximumAttempts: 2 } }, run('force-unreachable')));
      expect(forceFailed.message).toMatch(/ECONNREFUSED|connect/i);
    });

    const histories = await Promise.all(ids.map(async (id) => ({ id, text: historyText(await temporal.client.workflow.getHandle(id).fetchHistory()) })));
    // The payloads were decoded: what the inputs and failures say is there to be searched.
    const byId = Object.fromEntries(histories.map(({ id, text }) => [id, text]));
    expect(byId[ids[0] as string]).toContain('secret_ok');
    expect(byId[ids[2] as string]).toContain('password authentication failed');
    expect(byId[ids[3] as string]).toMatch(/ECONNREFUSED|connect/i);
    for (const { id, text } of histories) {
      for (const secret of secrets) expect(text.includes(secret), `${id} contains a secret`).toBe(false);
    }
    const logged = JSON.stringify(logger.lines);
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logged.includes(secret), 'the activity logs contain a secret').toBe(false);
  });
});
