import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('loadConfig: the runner', () => {
  // A chunk must fit well inside the runner's statement timeout, a third of the lease
  // (src/runner/runnerPool.ts): at most half of it, so a sixth of the lease.
  it('accepts a chunk time of exactly a sixth of the lease', () => {
    expect(loadConfig({ RUNNER_LEASE_MS: '6000', RUNNER_CHUNK_MS: '1000' }).runner).toMatchObject({
      leaseMs: 6_000,
      chunkTargetMs: 1_000,
    });
  });

  it('refuses a chunk time above a sixth of the lease, naming both variables and their values', () => {
    expect(() => loadConfig({ RUNNER_LEASE_MS: '6000', RUNNER_CHUNK_MS: '1001' })).toThrow(
      'RUNNER_CHUNK_MS (1001) must be at most a sixth of RUNNER_LEASE_MS (6000)',
    );
  });

  it('holds the default chunk time to the same rule when only the lease is shortened', () => {
    expect(loadConfig({ RUNNER_LEASE_MS: '420' }).runner).toMatchObject({ leaseMs: 420, chunkTargetMs: 70 });
    expect(() => loadConfig({ RUNNER_LEASE_MS: '419' })).toThrow(
      'RUNNER_CHUNK_MS (70) must be at most a sixth of RUNNER_LEASE_MS (419)',
    );
  });

  it('holds the default lease to the rule when only the chunk time is raised', () => {
    expect(loadConfig({ RUNNER_CHUNK_MS: '5000' }).runner).toMatchObject({ leaseMs: 30_000, chunkTargetMs: 5_000 });
    expect(() => loadConfig({ RUNNER_CHUNK_MS: '5001' })).toThrow(
      'RUNNER_CHUNK_MS (5001) must be at most a sixth of RUNNER_LEASE_MS (30000)',
    );
  });

  it('starts with the defaults within the rule', () => {
    const { runner } = loadConfig({});
    expect(runner).toMatchObject({ leaseMs: 30_000, chunkTargetMs: 70 });
    expect(runner.chunkTargetMs * 6).toBeLessThanOrEqual(runner.leaseMs);
  });
});
