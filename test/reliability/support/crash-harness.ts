/**
 * The crash matrix's machinery: worker processes (one spare always loaded, so a restart costs no
 * start-up time), seeded choices of where the next one dies, and the loop that kills and restarts
 * workers until the workflow completes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { KillPoint } from '../fixtures/crash-worker.js';

export type { KillPoint };

const workerScript = fileURLToPath(new URL('../fixtures/crash-worker.ts', import.meta.url));

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CrashWorker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit signal (`'SIGKILL'` for a kill) once the process is gone. */
  readonly exited: Promise<NodeJS.Signals | null>;
  /** Highest batch the source opened in this process (0: none). */
  readonly openedBatch: () => number;
  /** Resolves when the process starts its first activity. */
  readonly working: Promise<void>;
  /** Polls with `point` as its kill point; resolves once it polls. */
  start(point: KillPoint): Promise<void>;
}

/** Spawns a worker process and waits until it is loaded (connected, not polling yet). */
export async function spawnCrashWorker(env: Record<string, string>): Promise<CrashWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], { env: { ...process.env, ...env } });
  let stderr = '';
  let opened = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([, signal]) => signal as NodeJS.Signals | null);
  const lines = createInterface({ input: child.stdout });
  const waiters = new Map<string, () => void>();
  lines.on('line', (line) => {
    const opening = /^opened (\d+)$/.exec(line);
    if (opening) opened = Math.max(opened, Number(opening[1]));
    waiters.get(line)?.();
  });
  let markWorking: () => void = () => undefined;
  const working = new Promise<void>((resolve) => (markWorking = resolve));
  lines.on('line', (line) => {
    if (line.startsWith('activity ')) markWorking();
  });
  const seen = (wanted: string) => new Promise<void>((resolve) => waiters.set(wanted, resolve));
  const failed = () => exited.then(() => Promise.reject(new Error(`worker process exited early:\n${stderr}`)));
  const ready = seen('ready');
  const spawnedAt = performance.now();
  await Promise.race([seen('loaded'), failed()]);
  if (process.env.TPG_CRASH_VERBOSE) console.log(`${env.TASK_QUEUE}: a worker process loaded in ${Math.round(performance.now() - spawnedAt)} ms`);
  return {
    child,
    exited,
    openedBatch: () => opened,
    working,
    async start(point) {
      child.stdin.write(`start ${JSON.stringify(point)}\n`);
      await Promise.race([ready, failed()]);
    },
  };
}

/** One kill: where it was planned, and how the process died. */
export interface Kill {
  /** The worker's own kill point, or `time` when the test killed it from outside after `afterMs`. */
  readonly point: KillPoint | { readonly kind: 'time'; readonly afterMs: number };
}

export interface CrashLoopOptions {
  /** Environment of every worker process (Temporal, task queue, bundle, database). */
  readonly env: Record<string, string>;
  /** Kills wanted before the last worker is left to finish. */
  readonly kills: number;
  readonly random: () => number;
  /** Rows per batch of the source (row kill points fall inside a batch). */
  readonly rowsPerBatch: number;
  /** Batches stored before the workflow started (its first batch is the next one). */
  readonly firstBatch: number;
  /** Activity names worth dying in or after (repeat a name to make it likelier). */
  readonly activities: readonly string[];
  /** The workflow's result. */
  readonly result: Promise<unknown>;
  /** How long a worker may work (from its first activity) before the test kills it from outside, in ms, when its own kill point never comes. Default 1000. */
  readonly fallbackMs?: number;
}

/**
 * Starts worker after worker, each with a kill point chosen by `random`, until `kills` processes
 * died; then one without, until `result` settles. Returns the kills made (fewer when the workflow
 * completed first).
 */
export async function crashUntilDone(options: CrashLoopOptions): Promise<Kill[]> {
  const kills: Kill[] = [];
  let spare = spawnCrashWorker(options.env);
  let done = false;
  const finished = options.result.then(
    () => void (done = true),
    () => void (done = true),
  );
  let openedBatch = options.firstBatch - 1;
  const spawned: Promise<CrashWorker>[] = [spare];
  try {
    while (!done) {
      const worker = await spare;
      spare = spawnCrashWorker(options.env);
      spawned.push(spare);
      const wantKill = kills.length < options.kills;
      const { point, afterMs } = wantKill ? choose(options, openedBatch) : { point: { kind: 'none' } as KillPoint, afterMs: undefined };
      const startedAt = performance.now();
      await worker.start(point);
      if (process.env.TPG_CRASH_VERBOSE) console.log(`${options.env.TASK_QUEUE}: polling after ${Math.round(performance.now() - startedAt)} ms`);
      const outcome = await Promise.race([
        worker.exited.then(() => 'exited' as const),
        finished.then(() => 'done' as const),
        // Random moments count from the first activity: a worker waiting for a retry's backoff is not worth killing.
        ...(afterMs === undefined ? [] : [worker.working.then(() => sleep(afterMs)).then(() => 'time' as const)]),
      ]);
      openedBatch = Math.max(openedBatch, worker.openedBatch());
      if (process.env.TPG_CRASH_VERBOSE) console.log(`${options.env.TASK_QUEUE}: ${JSON.stringify(point)} after ${afterMs} ms → ${outcome} at ${Math.round(performance.now() - startedAt)} ms, opened batch ${openedBatch}`);
      if (outcome === 'done') {
        worker.child.kill('SIGKILL');
        await worker.exited;
        break;
      }
      if (outcome === 'time') worker.child.kill('SIGKILL');
      const signal = await worker.exited;
      if (signal !== 'SIGKILL') throw new Error(`a worker process ended without being killed (signal ${signal})`);
      kills.push({ point: outcome === 'time' ? { kind: 'time', afterMs: afterMs as number } : point });
    }
  } finally {
    for (const pending of spawned) {
      const worker = await pending.catch(() => undefined);
      worker?.child.kill('SIGKILL');
      await worker?.exited;
    }
  }
  return kills;
}

/**
 * The next kill point: a random moment of its work (from outside), a row of one of the next two
 * batches, or the start or end of an activity.
 */
function choose(options: CrashLoopOptions, openedBatch: number): { point: KillPoint; afterMs: number } {
  const { random } = options;
  const fallbackMs = options.fallbackMs ?? 1000;
  const pick = random();
  if (pick < 0.35) return { point: { kind: 'none' }, afterMs: Math.round(random() * 800) };
  if (pick < 0.7) {
    const batch = openedBatch + 1 + Math.floor(random() * 2);
    return { point: { kind: 'row', batch, row: 1 + Math.floor(random() * options.rowsPerBatch) }, afterMs: fallbackMs };
  }
  const name = options.activities[Math.floor(random() * options.activities.length)] as string;
  return { point: { kind: 'activity', name, when: random() < 0.5 ? 'before' : 'after', occurrence: 1 + Math.floor(random() * 2) }, afterMs: fallbackMs };
}
