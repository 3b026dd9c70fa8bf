/**
 * `temporal-pg locks`: the lock toolkit's introspection on the command line — every lock, the lock
 * waits with their blockers, or the blocking tree; as aligned tables or as JSON.
 */
import type { ParseArgsConfig } from 'node:util';
import { blockingTree } from '../../introspection/blocking-tree.js';
import { listBlocked } from '../../introspection/list-blocked.js';
import { listLocks } from '../../introspection/list-locks.js';
import type { BlockedLock, BlockingTreeNode, LockFilters, LockInfo, SessionSummary } from '../../introspection/types.js';
import { withDatabase } from '../connect.js';
import { EXIT_CODES_HELP, ExitCode } from '../exit-codes.js';
import { json, parseFlags } from '../flags.js';
import { CliUsageError, type CliOutput } from '../io.js';
import { formatDuration, parseDuration } from '../parse-duration.js';
import { fitToWidth, oneLine, renderTable, type Column } from '../table.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: temporal-pg locks [flags]

Lists the locks held and awaited in a PostgreSQL database (pg_locks), of every type: relations,
advisory locks (keys decoded), transaction ids (row locks), virtual transaction ids, objects.

View (default: every lock, waiting ones first):
  --blocked                   only lock waits, each with the sessions blocking it
  --tree                      the blocking tree: root blockers and who waits behind them

Filters:
  --min-wait <duration>       only sessions waiting for a lock at least this long (500ms, 5s, 2m)
  --relation <name>           only locks on this table: name or schema.name
  --user <role>               only sessions of this role (repeatable)
  --application-name <name>   only sessions with this application_name (repeatable)
  --pid <pid>                 only this backend (repeatable)
  --all-databases             include sessions connected to other databases
  (--tree takes only --min-wait and --all-databases)

Output:
  --json                      JSON instead of a table
  --all                       also list the lock every transaction holds on its own transaction ids
                              (virtualxid, transactionid; hidden by default unless someone waits on them)

Connection:
  --database-url <url>        default: DATABASE_URL, else PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE

${EXIT_CODES_HELP}

Examples:
  temporal-pg locks --blocked --min-wait 5s
  temporal-pg locks --tree --database-url postgres://app@db.internal/orders
  temporal-pg locks --relation public.orders --json
`;

const OPTIONS = {
  blocked: { type: 'boolean' },
  tree: { type: 'boolean' },
  json: { type: 'boolean' },
  'min-wait': { type: 'string' },
  relation: { type: 'string' },
  user: { type: 'string', multiple: true },
  'application-name': { type: 'string', multiple: true },
  pid: { type: 'string', multiple: true },
  'all-databases': { type: 'boolean' },
  'database-url': { type: 'string' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export const locksCommand: CliCommand = {
  async run(argv, io) {
    const flags = parseFlags(argv, OPTIONS).values;
    if (flags.help) {
      io.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (flags.blocked && flags.tree) throw new CliUsageError('--blocked and --tree are two different views; pick one');
    const minWaitMs = flags['min-wait'] === undefined ? undefined : parseDuration(flags['min-wait'], '--min-wait');
    const filters: LockFilters = {
      minWaitMs,
      relation: flags.relation,
      users: flags.user,
      applicationNames: flags['application-name'],
      pids: flags.pid?.map(parsePid),
      allDatabases: flags['all-databases'] ?? false,
    };
    if (flags.tree && (filters.relation !== undefined || filters.users || filters.applicationNames || filters.pids)) {
      throw new CliUsageError('--tree takes only --min-wait and --all-databases as filters');
    }

    return withDatabase(flags['database-url'], io, async (client) => {
      if (flags.tree) {
        const trees = (await blockingTree(client, { allDatabases: filters.allDatabases })).filter((root) => longestWait(root) >= (minWaitMs ?? 0));
        io.stdout.write(flags.json ? json(trees) : trees.length === 0 ? 'Nothing is blocked.\n' : renderTrees(trees, io.stdout));
      } else if (flags.blocked) {
        const waits = await listBlocked(client, filters);
        io.stdout.write(flags.json ? json(waits) : waits.length === 0 ? 'No lock waits.\n' : renderTable(waits, BLOCKED_COLUMNS, io.stdout));
      } else {
        const locks = (await listLocks(client, filters)).filter((lock) => flags.all || !isOwnTransactionId(lock));
        io.stdout.write(flags.json ? json(locks) : locks.length === 0 ? 'No locks.\n' : renderTable(locks, LOCK_COLUMNS, io.stdout));
      }
      return ExitCode.ok;
    });
  },
};

function parsePid(text: string): number {
  const pid = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(pid) || pid <= 0) throw new CliUsageError(`--pid needs a process id, got ${JSON.stringify(text)}`);
  return pid;
}

const sessionColumns: Array<Column<{ pid: number | null; session: SessionSummary | null }>> = [
  { header: 'PID', cell: (l) => String(l.pid ?? '-'), right: true },
  { header: 'USER', cell: (l) => l.session?.user ?? '' },
  { header: 'APPLICATION', cell: (l) => l.session?.applicationName ?? '' },
];

const LOCK_COLUMNS: Array<Column<LockInfo>> = [
  ...sessionColumns,
  { header: 'TYPE', cell: (l) => l.lockType },
  { header: 'MODE', cell: (l) => l.mode },
  { header: 'GRANTED', cell: (l) => (l.granted ? 'yes' : 'WAITING') },
  { header: 'WAIT', cell: (l) => formatDuration(l.waitMs), right: true },
  { header: 'ON', cell: (l) => l.description },
  { header: 'STATE', cell: (l) => l.session?.state ?? '' },
  { header: 'QUERY AGE', cell: (l) => formatDuration(l.session?.queryAgeMs ?? null), right: true },
  { header: 'QUERY', cell: (l) => l.session?.query ?? '' },
];

const BLOCKED_COLUMNS: Array<Column<BlockedLock>> = [
  ...sessionColumns,
  { header: 'WAITS FOR', cell: (l) => `${l.mode} on ${l.description}` },
  { header: 'WAIT', cell: (l) => formatDuration(l.waitMs), right: true },
  { header: 'BLOCKED BY', cell: (l) => l.blockedBy.map((b) => b.pid).join(',') },
  { header: 'QUERY', cell: (l) => l.session?.query ?? '' },
];

/** The lock each transaction holds on its own (virtual) transaction id: noise unless awaited. */
function isOwnTransactionId(lock: LockInfo): boolean {
  return lock.granted && lock.mode === 'EXCLUSIVE' && (lock.lockType === 'virtualxid' || lock.lockType === 'transactionid');
}

function longestWait(node: BlockingTreeNode): number {
  return Math.max(node.waitMs ?? 0, ...node.blocks.map(longestWait));
}

/** Trees as indented lines: `├─`/`└─` branches, one session per line. */
function renderTrees(roots: readonly BlockingTreeNode[], out: CliOutput): string {
  const lines: string[] = [];
  const walk = (node: BlockingTreeNode, prefix: string, branch: string) => {
    const s = node.session;
    const who = [String(s.pid), s.user ?? '?', s.applicationName || '-', s.state ?? ''].filter(Boolean).join('  ');
    const what = node.waitingFor
      ? `waits ${formatDuration(node.waitMs)} for ${node.waitingFor.mode} on ${node.waitingFor.description}`
      : s.transactionAgeMs !== null
        ? `transaction open ${formatDuration(s.transactionAgeMs)}`
        : `query age ${formatDuration(s.queryAgeMs)}`;
    const cycle = node.cycle ? '  (wait cycle)' : '';
    lines.push(fitToWidth(`${prefix}${branch}${who}  ${what}${cycle}  ${oneLine(s.query ?? '')}`.trimEnd(), out));
    const childPrefix = prefix + (branch === '├─ ' ? '│  ' : branch === '└─ ' ? '   ' : '');
    node.blocks.forEach((child, i) => walk(child, childPrefix, i === node.blocks.length - 1 ? '└─ ' : '├─ '));
  };
  roots.forEach((root) => walk(root, '', ''));
  return `${lines.join('\n')}\n`;
}
