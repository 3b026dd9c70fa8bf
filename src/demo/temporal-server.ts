/**
 * Which Temporal the demo runs on, best first:
 * 1. `TEMPORAL_ADDRESS` set: that server (namespace `TEMPORAL_NAMESPACE`, default `default`);
 * 2. a Temporal CLI binary already on this machine — the one `@temporalio/testing` caches in the
 *    temp directory, or `temporal` on the PATH — started as a dev server through
 *    `TestWorkflowEnvironment.createLocal`;
 * 3. the same dev server downloaded by `@temporalio/testing` (and cached for the next run), within
 *    {@link DOWNLOAD_LIMIT_MS}: offline the download fails within milliseconds (no DNS), and a
 *    network that swallows it must not hold the demo for long;
 * 4. the in-memory service that ships with the test suite.
 * The choice is said in one line, with the reason the better ones were passed over.
 */
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { installedVersion, loadTemporalTestService, loadTemporalTesting } from './dev-services.js';

export interface DemoTemporal {
  readonly kind: 'external' | 'dev-server' | 'in-memory';
  /** `host:port` for connections. */
  readonly address: string;
  readonly namespace: string;
  /** Which server, in words, and why. */
  readonly description: string;
  /** Stops what the demo started (nothing for an external server). Idempotent. */
  stop(): Promise<void>;
}

export interface DemoTemporalOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Skip the dev server even when a binary exists (tests of the in-memory path). Default false. */
  readonly inMemory?: boolean;
  /** Try to download the dev server when none is on this machine. Default true. */
  readonly download?: boolean;
}

/** How long the download and start of a dev server may take before the demo gives up on it, in ms. */
export const DOWNLOAD_LIMIT_MS = 90_000;

export async function startDemoTemporal(options: DemoTemporalOptions): Promise<DemoTemporal> {
  const { env } = options;
  if (env.TEMPORAL_ADDRESS) {
    return {
      kind: 'external',
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      description: `the Temporal server at ${env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS)`,
      stop: async () => undefined,
    };
  }
  let passedOver = 'no TEMPORAL_ADDRESS';
  if (!options.inMemory) {
    const binary = findDevServerBinary(env);
    const noBinary = 'no TEMPORAL_ADDRESS, no Temporal CLI binary cached or on the PATH';
    try {
      if (binary) {
        // existing-path: the SDK only spawns it (a cached-download past its TTL would try to download).
        return await startLocal({ type: 'existing-path', path: binary.path }, `the Temporal CLI ${binary.origin}: ${binary.path}`);
      }
      if (options.download !== false) return await startDownloadedDevServer();
      passedOver = `${noBinary}, --no-download`;
    } catch (error) {
      passedOver = binary ? `the Temporal CLI at ${binary.path} did not start: ${firstLine(error)}` : `${noBinary}, and its download failed: ${downloadFailure(error)}`;
    }
  }
  const { startTemporalTestService } = await loadTemporalTestService();
  const service = await startTemporalTestService({ log: () => undefined });
  return {
    kind: 'in-memory',
    address: service.address,
    namespace: service.namespace,
    description: `temporal-pg's in-memory Temporal service at ${service.address} (${passedOver}; set TEMPORAL_ADDRESS to use a real server)`,
    stop: () => service.shutdown(),
  };
}

interface DevServerBinary {
  readonly path: string;
  readonly origin: string;
}

/** The dev server binary `createLocal` would download, if it is already cached; else `temporal` on the PATH. */
function findDevServerBinary(env: Readonly<Record<string, string | undefined>>): DevServerBinary | undefined {
  const sdkVersion = installedVersion('@temporalio/testing');
  if (sdkVersion) {
    const cached = join(tmpdir(), `temporal-sdk-typescript-${sdkVersion}${process.platform === 'win32' ? '.exe' : ''}`);
    if (isExecutable(cached)) return { path: cached, origin: 'cached by @temporalio/testing' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'temporal.exe' : 'temporal');
    if (isExecutable(candidate)) return { path: candidate, origin: 'on the PATH' };
  }
  return undefined;
}

/** createLocal's own download (cached in the temp directory, found by {@link findDevServerBinary} next time). */
async function startDownloadedDevServer(): Promise<DemoTemporal> {
  let timer: NodeJS.Timeout | undefined;
  const starting = startLocal({ type: 'cached-download' }, `the Temporal CLI downloaded by @temporalio/testing into ${tmpdir()}`);
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no dev server after ${DOWNLOAD_LIMIT_MS / 1000} s`)), DOWNLOAD_LIMIT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([starting, limit]);
  } catch (error) {
    // A server that comes up after we gave up on it is stopped at once.
    void starting.then((late) => late.stop(), () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

type LocalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

async function startLocal(executable: LocalExecutable, origin: string): Promise<DemoTemporal> {
  const testing = await loadTemporalTesting();
  if (!testing) throw new Error('@temporalio/testing is not installed');
  const environment = await testing.TestWorkflowEnvironment.createLocal({
    server: { executable, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  let stopped = false;
  return {
    kind: 'dev-server',
    address: environment.address,
    namespace: environment.namespace ?? 'default',
    description: `a Temporal dev server at ${environment.address} (${origin})`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await environment.teardown();
    },
  };
}

/** The cause at the end of the SDK's long chain (`… client error (Connect): dns error: failed to lookup address information: …`). */
function downloadFailure(error: unknown): string {
  return firstLine(error).split(': ').slice(-3).join(': ');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
