/**
 * Every file of examples/ runs (with tsx, as the README says) against the file's database and the
 * in-memory Temporal service (or TEMPORAL_ADDRESS), and prints what it promises. Every TypeScript
 * block of the README is a piece of one of these files (or of a test file, which the suite runs
 * anyway), so the README's code runs too.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { useTemporal } from '../helpers/temporal.js';

const db = useTestDatabase();
const temporal = useTemporal();

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx/cli');
const EXAMPLES = readdirSync(new URL('../../examples/', import.meta.url)).filter((name) => name.endsWith('.ts')).sort();

/** What each example must print (every example must be listed here). */
const EXPECTED: Record<string, RegExp[]> = {
  'csv-directory.ts': [/^first run: 2 files, 4 rows, watermark "orders-2024-06-02\.csv"$/m, /^second run: 1 file, 1 row, watermark "orders-2024-06-03\.csv"$/m, /'Ada, Countess'.*'12\.50'.*true/],
  'force-execute.ts': [/^terminate pid \d+ \(dashboard, idle in transaction\) holding ACCESS SHARE on public\.example_sales/m, /^renamed after \d+ ms, \d+ attempts, forced: true, victims: \d+$/m, /^swapped in a new example_sales$/m],
  'ingest-library.ts': [/^first run: 3 batches, 6 rows, migration create, watermark "2024-06-03"$/m, /^second run: 2 batches, 4 rows, watermark "2024-06-05"$/m, /^table: \{ rows: 10, last: '2024-06-05' \}$/m],
  'ingest-steps.ts': [/^batch 1: committed, 1 rows; run again: already-committed$/m, /^batch 3: committed, 1 rows; run again: already-committed$/m, /^3 batches, 3 rows, watermark 3, migration create$/m],
  'locks.ts': [/^nightly-import lock: acquired$/m, /^a second taker gets: null$/m, /^withAdvisoryLock: rebuilt tenant 42$/m, /^pid \d+ waits for ACCESS SHARE on public\.example_orders, blocked by \d+$/m, /^lockTable gave up: /m, /^prioritize: terminate pid \d+ \(idle in transaction\); count 0$/m, /^the reader got through: /m],
  'worker-and-client.ts': [/^ingest temporal-pg-ingest:default:example\.events: \w+, \d+ rows so far$/m, /^ingested 5000 rows in 5 batches, migration create, watermark 5$/m, /^force-execute: ALTER in \d+ ms, 0 sessions acted on$/m],
};

function runExample(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, `examples/${name}`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/', () => {
  it('lists what every example must print', () => {
    expect(EXAMPLES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(EXAMPLES)('%s runs', async (name) => {
    const run = await runExample(name);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const pattern of EXPECTED[name] ?? []) expect(run.stdout).toMatch(pattern);
  }, 120_000);
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('shows only TypeScript that is part of an example the suite runs', () => {
    const blocks = [...readme.matchAll(/(?:<!-- example: (examples\/[\w-]+\.ts|test\/[\w/-]+\.test\.ts) -->\n)?```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [whole, file, code] of blocks) {
      expect(file, `a \`\`\`ts block of the README without an <!-- example: examples/… (or test/….test.ts) --> marker:\n${whole.slice(0, 200)}`).toBeDefined();
      const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      expect(source.includes(code!), `the README's block is not a piece of ${file}:\n${code}`).toBe(true);
    }
  });

  it('starts with the two commands, the install line exactly as CI runs it', () => {
    const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(commands.slice(0, 2)).toEqual(['npm install && npm test', 'npm install && npm run demo']);
  });
});
