/** What a command may touch: its output streams and environment (tests hand in their own). */
export interface CliOutput {
  write(text: string): unknown;
  /** True when the stream is a terminal (then tables are cut to its width and progress bars drawn). */
  readonly isTTY?: boolean;
  /** Terminal width in characters, when it is one. */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * For long-running commands: a signal aborted by the first Ctrl-C or SIGTERM, so the command can
   * clean up and return {@link ExitCode.interrupted}; a second one ends the process at once. Commands
   * that never call it keep the default behaviour (the process ends on Ctrl-C).
   */
  readonly interrupts?: () => AbortSignal;
}

/** A bad command line or input file: the message says what was wrong; exit code 2. */
export class CliUsageError extends Error {
  override readonly name: string = 'CliUsageError';
}

/** The database could not be reached; exit code 3. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/** The Temporal server could not be reached; exit code 4. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** The command stopped because of Ctrl-C or SIGTERM, after cleaning up; exit code 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}
