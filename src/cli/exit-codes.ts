/**
 * Exit codes of the `temporal-pg` command line, the same for every subcommand.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the command failed (an error from PostgreSQL or Temporal, a failed job) |
 * | 2 | usage error: unknown command or flag, bad flag value |
 * | 3 | the database could not be reached (refused, timed out, authentication, no such database) |
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  databaseUnreachable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table above, for help texts. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the command failed
  2  usage error (unknown command or flag, bad value)
  3  database unreachable (refused, timed out, authentication, no such database)`;
