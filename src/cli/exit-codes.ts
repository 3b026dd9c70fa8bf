/**
 * Exit codes of the `temporal-pg` command line, the same for every subcommand.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the command failed (an error from PostgreSQL or Temporal, a failed workflow) |
 * | 2 | usage error: unknown command or flag, bad flag value, unreadable or invalid spec file |
 * | 3 | the database could not be reached (refused, timed out, authentication, no such database) |
 * | 4 | the Temporal server could not be reached |
 * | 130 | interrupted (Ctrl-C or SIGTERM) after cleaning up |
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  databaseUnreachable: 3,
  temporalUnreachable: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table above, for help texts. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    the command failed
  2    usage error (unknown command or flag, bad value, invalid spec file)
  3    database unreachable (refused, timed out, authentication, no such database)
  4    Temporal unreachable
  130  interrupted (Ctrl-C, SIGTERM)`;
