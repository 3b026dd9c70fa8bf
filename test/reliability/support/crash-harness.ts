/**
 * The crash matrix's machinery: worker processes (one spare always loaded, so a restart costs no
 * start-up time), seeded choices of where the next one dies, and the loop that kills and restarts
 * workers until a workflow completes. The Temporal load test runs its worker processes through
 * `spawnCrashWorker` too (with no kill point).
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
  /** Highest batch the source opened in this process for the ingest tagged `tag` (0: none). */
  readonly openedBatch: (tag: string) => number;
  /** Resolves when the process starts its first activity. */
  readonly working: Promise<void>;
  /** Activity attempts this process started so far, by activity name. */
  readonly activities: () => ReadonlyMap<string, number>;
  /** Polls with `point` as its kill point; resolves once it polls. */
  start(point: KillPoint): Promise<void>;
}

/** Spawns a worker process and waits until it is loaded (connected, not polling yet). */
export async function spawnCrashWorker(env: Record<string, string>): Promise<CrashWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], { env: { ...process.env, ...env } });
  let stderr = '';
  const opened = new Map<string, number>();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([, signal]) => signal as NodeJS.Signals | null);
  const lines = createInterface({ input: child.stdout });
  const waiters = new Map<string, () => void>();
  lines.on('line', (line) => {
    const opening = /^opened (\S*) (\d+)$/.exec(line);
    if (opening) opened.set(opening[1] as string, Math.max(opened.get(opening[1] as string) ?? 0, Number(opening[2])));
    waiters.get(line)?.();
  });
  let markWorking: () => void = () => undefined;
  const working = new Promise<void>((resolve) => (markWorking = resolve));
  const activities = new Map<string, number>();
  lines.on('line', (line) => {
    const activity = /^activity (\S+) /.exec(line);
    if (!activity) return;
    markWorking();
    activities.set(activity[1] as string, (activities.get(activity[1] as string) ?? 0) + 1);
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
    openedBatch: (tag) => opened.get(tag) ?? 0,
    working,
    activities: () => activities,
    async start(point) {
      child.stdin.write(`start ${JSON.stringify(point)}\n`);
      await Promise.race([ready, failed()]);
    },
  };
}

/**
 * One kill: the worker's kill point and how the process died — `row` or `activity` when it killed
 * itself there, `time` when the test killed it at a random moment (a `none` kill point), `fallback`
 * when its own kill point had not come by the fallback time and the test killed it from outside.
 */
export interface Kill {
  readonly kind: 'row' | 'activity' | 'time' | 'fallback';
  readonly point: KillPoint;
  /** When the test killed it from outside: milliseconds after the process's first activity. */
  readonly afterMs?: number;
}

export interface CrashRoundOptions {
  /** Kills wanted before the last worker is left to finish. */
  readonly kills: number;
  readonly random: () => number;
  /** The ingest's tag (its source args' `tag`): row kill points name it. */
  readonly tag: string;
  /** Rows per batch of the source (row kill points fall inside a batch). */
  readonly rowsPerBatch: number;
  /** The workflow's first batch (the one after the stored watermark) and its last. */
  readonly firstBatch: number;
  readonly lastBatch: number;
  /** Activity attempts worth dying at the start or end of (repeat one to make it likelier). */
  readonly activities: readonly ActivityMoment[];
  /** The workflow's result. */
  readonly result: Promise<unknown>;
  /**
   * How long a worker may work (from its first activity) before the test kills it from outside,
   * in ms, when its own kill point has not come. Default 3000: a point that does not come in this
   * run usually means the workflow completes first, and the round ends without that kill.
   */
  readonly fallbackMs?: number;
}

/** A process's `occurrence`-th attempt of activity `name` (from 1). */
export interface ActivityMoment {
  readonly name: string;
  readonly occurrence: number;
}

/**
 * Worker processes on one task queue, killed and restarted round after round (one workflow a
 * round); one spare is always loaded, so a restart costs no start-up time.
 */
export class CrashLoop {
  private spare: Promise<CrashWorker>;
  private readonly spawned: Promise<CrashWorker>[] = [];

  /** `env`: environment of every worker process (Temporal, task queue, bundle, database). */
  constructor(private readonly env: Record<string, string>) {
    this.spare = this.spawn();
  }

  private spawn(): Promise<CrashWorker> {
    const worker = spawnCrashWorker(this.env);
    this.spawned.push(worker);
    return worker;
  }

  /**
   * Starts worker after worker, each with a kill point chosen by `random`, until `kills` processes
   * died; then one without, until `result` settles. Returns the kills made (fewer when the
   * workflow completed first).
   */
  async untilDone(options: CrashRoundOptions): Promise<Kill[]> {
    const verbose = process.env.TPG_CRASH_VERBOSE ? (line: string) => console.log(`${options.tag}: ${line}`) : undefined;
    const kills: Kill[] = [];
    let done = false;
    const finished = options.result.then(
      () => void (done = true),
      () => void (done = true),
    );
    let openedBatch = options.firstBatch - 1;
    while (!done) {
      const worker = await this.spare;
      this.spare = this.spawn();
      const { point, afterMs } = kills.length < options.kills ? choose(options, openedBatch) : { point: { kind: 'none' } as KillPoint, afterMs: undefined };
      const startedAt = performance.now();
      await worker.start(point);
      const outcome = await Promise.race([
        worker.exited.then(() => 'exited' as const),
        finished.then(() => 'done' as const),
        // Moments count from the first activity: a worker waiting for a retry's backoff is not worth killing.
        ...(afterMs === undefined ? [] : [worker.working.then(() => sleep(afterMs)).then(() => 'time' as const)]),
      ]);
      openedBatch = Math.max(openedBatch, worker.openedBatch(options.tag));
      verbose?.(`${JSON.stringify(point)} after ${afterMs} ms → ${outcome} at ${Math.round(performance.now() - startedAt)} ms, opened batch ${openedBatch}`);
      if (outcome === 'done') {
        worker.child.kill('SIGKILL');
        await worker.exited;
        break;
      }
      if (outcome === 'time') worker.child.kill('SIGKILL');
      const signal = await worker.exited;
      if (signal !== 'SIGKILL') throw new Error(`a worker process ended without being killed (signal ${signal})`);
      if (outcome === 'exited') kills.push({ kind: point.kind === 'row' ? 'row' : 'activity', point });
      else kills.push({ kind: point.kind === 'none' ? 'time' : 'fallback', point, afterMs: afterMs as number });
    }
    return kills;
  }

  /** Kills every process still alive (the spare included). */
  async close(): Promise<void> {
    for (const pending of this.spawned) {
      const worker = await pending.catch(() => undefined);
      worker?.child.kill('SIGKILL');
      await worker?.exited;
    }
  }
}

/**
 * The next kill point: a random moment of its work (from outside), a row of one of the next two
 * batches, or the start or end of an activity.
 */
function choose(options: CrashRoundOptions, openedBatch: number): { point: KillPoint; afterMs: number } {
  const { random } = options;
  const fallbackMs = options.fallbackMs ?? 3000;
  const pick = random();
  if (pick < 0.3) return { point: { kind: 'none' }, afterMs: Math.round(random() * 800) };
  if (pick < 0.65) {
    const batch = Math.min(options.lastBatch, openedBatch + 1 + Math.floor(random() * 2));
    return { point: { kind: 'row', tag: options.tag, batch, row: 1 + Math.floor(random() * options.rowsPerBatch) }, afterMs: fallbackMs };
  }
  const { name, occurrence } = options.activities[Math.floor(random() * options.activities.length)] as ActivityMoment;
  return { point: { kind: 'activity', name, when: random() < 0.5 ? 'before' : 'after', occurrence }, afterMs: fallbackMs };
}
