/**
 * Which Temporal the demo runs on, best first:
 * 1. `TEMPORAL_ADDRESS` set: that server (namespace `TEMPORAL_NAMESPACE`, default `default`);
 * 2. a Temporal CLI binary already on this machine — the one `@temporalio/testing` caches in the
 *    temp directory, or `temporal` on the PATH — started as a dev server through
 *    `TestWorkflowEnvironment.createLocal` (never a download: offline it would only fail, slowly);
 * 3. the in-memory service that ships with the test suite.
 * The choice is said in one line, with the reason the better ones were passed over.
 */
import { accessSync, constants, existsSync } from 'node:fs';
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
}

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
    if (binary) {
      try {
        return await startDevServer(binary);
      } catch (error) {
        passedOver = `the Temporal CLI at ${binary.path} did not start: ${(error as Error).message.split('\n')[0]}`;
      }
    } else {
      passedOver = 'no TEMPORAL_ADDRESS, no Temporal CLI binary cached or on the PATH';
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

async function startDevServer(binary: DevServerBinary): Promise<DemoTemporal> {
  const testing = await loadTemporalTesting();
  if (!testing) throw new Error('@temporalio/testing is not installed');
  // existing-path: the SDK only spawns it (a cached-download past its TTL would try to download).
  const environment = await testing.TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: binary.path }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  let stopped = false;
  return {
    kind: 'dev-server',
    address: environment.address,
    namespace: environment.namespace ?? 'default',
    description: `a Temporal dev server at ${environment.address} (the Temporal CLI ${binary.origin}: ${binary.path})`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await environment.teardown();
    },
  };
}

function isExecutable(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
