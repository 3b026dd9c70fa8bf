import { describe, expect, it } from 'vitest';
import { backoffDelay, pause } from '../../../src/locks/lock-retry.js';

describe('lock retry backoff', () => {
  const backoff = { initialMs: 100, maxMs: 5000 };

  it('doubles per attempt up to the cap, keeping between half and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, backoff, () => 1))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, backoff, () => 0))).toEqual([50, 100, 200, 400]);
    expect(backoffDelay(20, backoff, () => 1)).toBe(5000);
    expect(backoffDelay(20, backoff, () => 0)).toBe(2500);
  });

  it('spreads delays randomly', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, backoff)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(800);
  });

  it('stops a pause when the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pause(10_000, controller.signal)).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
