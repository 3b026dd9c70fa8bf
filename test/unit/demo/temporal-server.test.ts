/**
 * Which Temporal the demo picks when nothing is configured. Offline (as in CI) the dev server's
 * download fails at once and the in-memory service takes over, saying why; with a network the
 * downloaded dev server runs instead. Either way the choice is named and stopped cleanly.
 */
import { describe, expect, it } from 'vitest';
import { startDemoTemporal } from '../../../src/demo/temporal-server.js';

describe('the demo Temporal', () => {
  it('tries the dev server download when none is on this machine, else says why it runs in memory', async () => {
    const startedAt = performance.now();
    const temporal = await startDemoTemporal({ env: { PATH: '' } });
    try {
      if (temporal.kind === 'in-memory') {
        expect(temporal.description).toMatch(/^temporal-pg's in-memory Temporal service at 127\.0\.0\.1:\d+ \(no TEMPORAL_ADDRESS, no Temporal CLI binary cached or on the PATH, and its download failed: \S.*; set TEMPORAL_ADDRESS to use a real server\)$/);
        expect(performance.now() - startedAt).toBeLessThan(30_000);
      } else {
        expect(temporal.kind).toBe('dev-server');
        expect(temporal.description).toMatch(/^a Temporal dev server at \S+ \(the Temporal CLI (downloaded by @temporalio\/testing|cached by @temporalio\/testing)/);
      }
      expect(temporal.address).toMatch(/:\d+$/);
    } finally {
      await temporal.stop();
    }
  });

  it('skips the download when asked, and takes TEMPORAL_ADDRESS as it is', async () => {
    const inMemory = await startDemoTemporal({ env: { PATH: '' }, download: false, inMemory: false });
    try {
      if (inMemory.kind === 'in-memory') expect(inMemory.description).toContain('no Temporal CLI binary cached or on the PATH, --no-download;');
      else expect(inMemory.description).toContain('cached by @temporalio/testing');
    } finally {
      await inMemory.stop();
    }
    const external = await startDemoTemporal({ env: { TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'etl' } });
    expect(external).toMatchObject({ kind: 'external', address: 'temporal.example:7233', namespace: 'etl' });
    expect(external.description).toBe('the Temporal server at temporal.example:7233 (TEMPORAL_ADDRESS)');
  });
});
