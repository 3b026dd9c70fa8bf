/**
 * Streams rows into PostgreSQL with `COPY … FROM STDIN` through pg-copy-streams. Rows are encoded
 * into chunks of about {@link CopyRowsOptions.chunkBytes} as they are read, and a chunk is only
 * encoded after the socket took the previous one, so memory stays bounded whatever the number of
 * rows. Any failure — a bad value, the row source throwing, the signal, a progress callback
 * throwing — destroys the stream, which sends CopyFail: the server aborts the COPY, nothing of the
 * call is written, and the connection stays usable once the promise has settled.
 */
import type pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import { ByteWriter } from './byte-writer.js';
import type { CopyPlan } from './plan.js';
import { RowEncoder, type CopyRow } from './row-encoder.js';

/** Running totals handed to {@link CopyRowsOptions.onProgress}. */
export interface CopyProgress {
  /** Rows encoded and sent so far. */
  readonly rows: number;
  /** COPY data bytes sent so far. */
  readonly bytes: number;
}

export interface CopyRowsOptions {
  /** The caller's batch number, quoted in every row error next to the row number (which is 1-based within this call). */
  readonly batch?: number;
  /**
   * Aborts the COPY while rows are being read and sent: the stream is failed, the server rolls the
   * COPY back, and the promise rejects with `signal.reason`. Once the last row has been sent the
   * COPY is completed and the signal is no longer looked at.
   */
  readonly signal?: AbortSignal;
  /**
   * Called with the running totals at most once per {@link CopyRowsOptions.progressIntervalMs}
   * (e.g. to heartbeat), and once more when every row has been sent. If it throws, the COPY is
   * aborted and the call rejects with that error.
   */
  readonly onProgress?: (progress: CopyProgress) => void;
  /** Minimum time between two progress calls, in milliseconds. Default 1000. */
  readonly progressIntervalMs?: number;
  /** Size of the chunks handed to the socket, in bytes. Default 65536 (64 KiB). */
  readonly chunkBytes?: number;
}

export interface CopyResult {
  /** Rows loaded, as the server counted them (`COPY n`). */
  readonly rows: number;
  /** COPY data bytes sent (binary or text payload, without protocol framing). */
  readonly bytes: number;
}

const DEFAULT_CHUNK_BYTES = 64 * 1024;
const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
/** How often a synchronous source looks at the clock for progress, in rows. */
const SYNC_PROGRESS_STRIDE = 1024;

/**
 * Loads `rows` into the plan's table with one COPY statement on `client` (a single connection, in
 * the caller's transaction if one is open). Resolves once the server has confirmed the COPY.
 *
 * @throws InvalidValueError, ValueOutOfRangeError, UnsupportedCharacterError, WrongValueCountError,
 *   UnknownColumnError, InvalidRowError for a bad row (nothing of the call is written); the
 *   server's error (a `pg` DatabaseError) for what only the server can check (NOT NULL, unique
 *   keys, constraints, domain checks); the source's own error if iterating `rows` throws;
 *   `signal.reason` when aborted.
 */
export async function copyRows(
  client: pg.ClientBase,
  plan: CopyPlan,
  rows: Iterable<CopyRow> | AsyncIterable<CopyRow>,
  options: CopyRowsOptions = {},
): Promise<CopyResult> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const progressInterval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const encoder = new RowEncoder(plan, options.batch);
  // Headroom above the flush threshold, so a typical last row of a chunk does not make it grow.
  const out = new ByteWriter(chunkBytes + (chunkBytes >> 2));
  const session = new CopySession(client.query(copyFrom(plan.statement)), signal);
  let bytes = 0;
  let lastProgress = performance.now();

  const report = (force: boolean) => {
    if (!onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressInterval) return;
    lastProgress = now;
    onProgress({ rows: encoder.rows, bytes });
  };
  const flush = async () => {
    const chunk = out.take();
    bytes += chunk.length;
    await session.write(chunk);
    report(false);
  };

  try {
    encoder.writeHeader(out);
    if (isAsyncIterable(rows)) {
      const iterator = rows[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await session.race(iterator.next());
          if (step.done) break;
          encoder.write(out, step.value);
          if (out.pos >= chunkBytes) await flush();
          else report(false);
        }
      } catch (error) {
        // Let the source clean up (close its cursor, file …) without waiting for it.
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        throw error;
      }
    } else {
      for (const row of rows) {
        encoder.write(out, row);
        if (out.pos >= chunkBytes) await flush();
        else if (encoder.rows % SYNC_PROGRESS_STRIDE === 0) {
          session.check();
          report(false);
        }
      }
    }
    encoder.writeTrailer(out);
    if (out.pos > 0) await flush();
    // The last report comes before the end of the COPY, so a callback that throws still aborts it.
    report(true);
    await session.finish();
  } catch (error) {
    throw await session.fail(error);
  }
  return { rows: session.stream.rowCount, bytes };
}

function isAsyncIterable(rows: Iterable<CopyRow> | AsyncIterable<CopyRow>): rows is AsyncIterable<CopyRow> {
  return typeof (rows as Partial<AsyncIterable<CopyRow>>)[Symbol.asyncIterator] === 'function';
}

/**
 * The COPY stream and what can interrupt it: an error from the server (sent at any time, e.g. a
 * unique violation while rows are still being sent) or the abort signal.
 */
class CopySession {
  private serverError: { error: unknown } | undefined;
  private destroying = false;
  private readonly interrupted: Promise<never>;
  private rejectInterrupted!: (reason: unknown) => void;
  private readonly closed: Promise<void>;
  private readonly onAbort = () => this.rejectInterrupted(this.signal?.reason);

  constructor(
    readonly stream: CopyStreamQuery,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.interrupted = new Promise<never>((_resolve, reject) => {
      this.rejectInterrupted = reject;
    });
    this.interrupted.catch(() => undefined);
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
    stream.on('error', (error: unknown) => {
      // While we destroy the stream, the server's answer to our CopyFail is expected, not news.
      if (this.destroying) return;
      this.serverError ??= { error };
      this.rejectInterrupted(error);
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Throws when the server failed the COPY or the signal fired. */
  check(): void {
    if (this.serverError) throw this.serverError.error;
    this.signal?.throwIfAborted();
  }

  /** Waits for `promise`, unless the COPY is interrupted first. */
  race<T>(promise: Promise<T>): Promise<T> {
    this.check();
    return Promise.race([promise, this.interrupted]);
  }

  /** Hands a chunk to the stream and waits until the socket has taken it. */
  async write(chunk: Buffer): Promise<void> {
    this.check();
    if (this.stream.write(chunk)) return;
    await this.race(new Promise<void>((resolve) => this.stream.once('drain', resolve)));
  }

  /** Ends the COPY and waits for the server's confirmation (after ReadyForQuery). The signal is no longer looked at. */
  async finish(): Promise<void> {
    this.check();
    this.signal?.removeEventListener('abort', this.onAbort);
    const finished = new Promise<void>((resolve, reject) => {
      this.stream.once('finish', resolve);
      this.stream.once('error', reject);
    });
    this.stream.end();
    await finished;
  }

  /**
   * Fails the COPY after `error` and returns the error to throw: the server's own error when it
   * failed first (it is the cause), otherwise `error`. Waits until the server has answered the
   * CopyFail, so the connection is ready for the next statement.
   */
  async fail(error: unknown): Promise<unknown> {
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.serverError) return this.serverError.error;
    if (!this.stream.destroyed) {
      this.destroying = true;
      // The CopyFail message lands in the server log: name the kind of failure, never the value.
      const kind = error instanceof Error ? ((error as { type?: unknown }).type ?? error.name) : typeof error;
      this.stream.destroy(new Error(`COPY aborted by the client (${String(kind)})`));
      await this.closed;
    }
    return error;
  }
}
