/** Temporary directories of source files for the file-source tests, removed after the file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

export interface TempFiles {
  /** A new empty directory; `files` maps names to contents (`.gz` names are gzipped). */
  directory(files?: Record<string, string | Buffer>): Promise<string>;
  write(directory: string, name: string, content: string | Buffer): Promise<void>;
}

export function useTempFiles(): TempFiles {
  const made: string[] = [];
  afterAll(async () => {
    for (const directory of made) await rm(directory, { recursive: true, force: true });
  });
  const write = async (directory: string, name: string, content: string | Buffer) => {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await writeFile(path.join(directory, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  };
  return {
    async directory(files = {}) {
      const directory = await mkdtemp(path.join(tmpdir(), 'temporal-pg-sources-'));
      made.push(directory);
      for (const [name, content] of Object.entries(files)) await write(directory, name, content);
      return directory;
    },
    write,
  };
}
