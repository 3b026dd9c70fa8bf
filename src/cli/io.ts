/** What a command may touch: its output streams and environment (tests hand in their own). */
export interface CliOutput {
  write(text: string): unknown;
  /** True when the stream is a terminal (then tables are cut to its width). */
  readonly isTTY?: boolean;
  /** Terminal width in characters, when it is one. */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A bad command line: the message says what was wrong; exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The database could not be reached; exit code 3. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}
