/**
 * A PostgreSQL server of the test file's own (the shared test server must not be stopped), with
 * fsync on as in production, and two ways of taking it down: a fast shutdown (what a restart by an
 * operator or a minor-version upgrade does) and an immediate one (a crash: no checkpoint, crash
 * recovery from the WAL when it starts again).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../support/embedded-postgres.js';

export interface OwnServer {
  readonly server: RunningPostgres;
  /** Fast shutdown, then start on the same port and data directory. `whileDown` runs in between. */
  restart(mode: 'fast' | 'immediate', whileDown?: () => Promise<void>): Promise<void>;
}

/** Starts the server before the file's tests, stops it (removing its data) after them. */
export function useOwnServer(): OwnServer {
  let server: RunningPostgres | undefined;
  beforeAll(async () => {
    server = await startEmbeddedPostgres({ settings: { max_connections: 100 } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the server is only available inside tests');
      return server;
    },
    async restart(mode, whileDown) {
      const running = this.server;
      if (mode === 'fast') {
        await running.pause();
      } else {
        // SIGINT (what pause sends) starts a fast shutdown; SIGQUIT right after makes it immediate.
        const pid = Number((await readFile(join(running.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
        const stopped = running.pause();
        process.kill(pid, 'SIGQUIT');
        await stopped;
      }
      await whileDown?.();
      await running.resume();
    },
  };
}
