import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSourcesModule, readWorkerEnvironment, WorkerConfigurationError } from '../../../worker/index.js';
import { redact } from '../../../worker/environment.js';
import { caught } from '../../helpers/caught.js';

describe('worker environment', () => {
  it('has defaults for everything', () => {
    const config = readWorkerEnvironment({}, '/srv/etl');
    expect(config).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'temporal-pg',
      database: { application_name: 'temporal-pg worker' },
      databaseTarget: 'localhost:5432/',
      namedDatabases: [],
      secrets: [],
      sourcesModule: undefined,
      sourceRoot: '/srv/etl',
    });
  });

  it('reads DATABASE_URL, keeping its password among the secrets and out of the target', () => {
    const config = readWorkerEnvironment(
      {
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'etl',
        TEMPORAL_TASK_QUEUE: 'postgres',
        DATABASE_URL: 'postgres://etl:p%40ss@db.internal:6432/warehouse',
        PGHOST: 'ignored',
        TEMPORAL_PG_SOURCES: './sources.js',
        TEMPORAL_PG_SOURCE_ROOT: 'incoming',
      },
      '/srv/etl',
    );
    expect(config).toMatchObject({ address: 'temporal:7233', namespace: 'etl', taskQueue: 'postgres', databaseTarget: 'db.internal:6432/warehouse', sourcesModule: '/srv/etl/sources.js', sourceRoot: '/srv/etl/incoming' });
    expect(config.database).toEqual({ application_name: 'temporal-pg worker', connectionString: 'postgres://etl:p%40ss@db.internal:6432/warehouse' });
    expect(config.secrets).toEqual(['postgres://etl:p%40ss@db.internal:6432/warehouse', 'p@ss', 'p%40ss']);
  });

  it('reads the libpq variables', () => {
    const config = readWorkerEnvironment({ PGHOST: 'db', PGPORT: '6543', PGUSER: 'etl', PGPASSWORD: 'secret', PGDATABASE: 'dw' });
    expect(config.database).toEqual({ application_name: 'temporal-pg worker', host: 'db', port: 6543, user: 'etl', password: 'secret', database: 'dw' });
    expect(config.databaseTarget).toBe('db:6543/dw');
    expect(config.secrets).toEqual(['secret']);
  });

  it('registers more databases by name from TEMPORAL_PG_DATABASE_<NAME>, keeping their passwords secret', () => {
    const config = readWorkerEnvironment({
      DATABASE_URL: 'postgres://etl:one@db:5432/dw',
      TEMPORAL_PG_DATABASE_SOURCE_CRM: 'postgres://reader:two@crm:5433/crm',
      TEMPORAL_PG_DATABASE_ARCHIVE: 'postgres://reader@archive/old',
    });
    expect(config.namedDatabases).toEqual([
      { name: 'archive', config: { application_name: 'temporal-pg worker', connectionString: 'postgres://reader@archive/old' }, target: 'archive:5432/old' },
      { name: 'source_crm', config: { application_name: 'temporal-pg worker', connectionString: 'postgres://reader:two@crm:5433/crm' }, target: 'crm:5433/crm' },
    ]);
    expect(config.secrets).toEqual(expect.arrayContaining(['one', 'two', 'postgres://reader:two@crm:5433/crm']));
    expect(redact('failed: postgres://reader:two@crm:5433/crm (two)', config.secrets)).toBe('failed: *** (***)');
  });

  it('refuses what cannot be right, naming the variable', async () => {
    for (const [env, variable] of [
      [{ PGPORT: 'five' }, 'PGPORT'],
      [{ TEMPORAL_TASK_QUEUE: ' ' }, 'TEMPORAL_TASK_QUEUE'],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
      [{ TEMPORAL_PG_DATABASE_CRM: 'not a url' }, 'TEMPORAL_PG_DATABASE_CRM'],
      [{ 'TEMPORAL_PG_DATABASE_BAD-NAME': 'postgres://x/y' }, 'TEMPORAL_PG_DATABASE_BAD-NAME'],
      [{ TEMPORAL_PG_DATABASE_DEFAULT: 'postgres://x/y' }, 'TEMPORAL_PG_DATABASE_DEFAULT'],
    ] as const) {
      const error = await caught(() => readWorkerEnvironment(env));
      expect(error).toBeInstanceOf(WorkerConfigurationError);
      expect(error).toMatchObject({ type: 'WorkerConfiguration', details: { variable } });
    }
  });

  it('redacts every secret, longest first', () => {
    expect(redact('connect postgres://u:pw@h/db failed for pw', ['pw', 'postgres://u:pw@h/db'])).toBe('connect *** failed for ***');
  });
});

describe('sources module', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'temporal-pg-sources-'));
    await writeFile(join(scratch, 'map.mjs'), 'export const sources = { a: () => [], b: () => [] };');
    await writeFile(join(scratch, 'factory.mjs'), 'export default async ({ databases }) => ({ names: () => Object.keys(databases) });');
    await writeFile(join(scratch, 'bad.mjs'), 'export const sources = { a: () => [], b: 42 };');
    await writeFile(join(scratch, 'empty.mjs'), 'export const other = 1;');
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('exports a map of sources, or a factory given the databases', async () => {
    expect(Object.keys(await loadSourcesModule(join(scratch, 'map.mjs'), { databases: {} }))).toEqual(['a', 'b']);
    const built = await loadSourcesModule(join(scratch, 'factory.mjs'), { databases: { default: {} as never } });
    expect(built.names?.(null, undefined)).toEqual(['default']);
  });

  it('is refused with a typed error naming what is wrong', async () => {
    expect(await caught(() => loadSourcesModule(join(scratch, 'bad.mjs'), { databases: {} }))).toMatchObject({ type: 'WorkerConfiguration', message: expect.stringContaining('not functions: b') });
    expect(await caught(() => loadSourcesModule(join(scratch, 'empty.mjs'), { databases: {} }))).toMatchObject({ type: 'WorkerConfiguration', message: expect.stringContaining('must export `sources`') });
    expect(await caught(() => loadSourcesModule(join(scratch, 'missing.mjs'), { databases: {} }))).toMatchObject({ type: 'WorkerConfiguration', message: expect.stringContaining('cannot load') });
  });
});
