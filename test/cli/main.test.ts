import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('temporal-pg', () => {
  it('prints its help with the commands and exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: temporal-pg <command> \[flags\]/);
    for (const name of ['locks', 'force-execute', 'worker', 'ingest', 'demo']) expect(run.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    for (const variable of ['DATABASE_URL', 'PGHOST', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']) expect(run.stdout).toContain(variable);
    expect(run.stdout).toMatch(/^  3 +database unreachable/m);
    expect(run.stdout).toMatch(/^  4 +Temporal unreachable/m);
    expect(run.stderr).toBe('');
  });

  it('gives every command its own help, with the exit codes', async () => {
    for (const name of ['locks', 'force-execute', 'worker', 'ingest', 'demo']) {
      for (const flag of ['--help', '-h']) {
        const run = await runCli([name, flag]);
        expect(run.code, `${name} ${flag}`).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^Usage: temporal-pg ${name}`));
        expect(run.stdout).toMatch(/^ {2}130 +interrupted/m);
        expect(run.stderr).toBe('');
      }
    }
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('exits 2 without a command or with an unknown one', async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: temporal-pg');
    const unknown = await runCli(['lcoks']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "lcoks"');
    expect(unknown.stdout).toBe('');
  });
});
