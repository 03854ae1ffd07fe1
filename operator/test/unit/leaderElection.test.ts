import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import { LeaderElector, leaseTimingProblems, type LeaseApi } from '../../src/controller/leaderElection.js';
import { LeaderFence, NotLeaderError } from '../../src/controller/leaderFence.js';
import { loadOperatorConfig } from '../../src/config.js';

const log = pino({ level: 'silent' });
const TIMINGS = { leaseDurationSeconds: 3, renewDeadlineMs: 2000, retryPeriodMs: 300 };

/**
 * A fake of the API server's Lease endpoint (one Lease, updates guarded by resourceVersion, as the
 * API server does). Each client can be made to hang: its requests then never answer, not even at
 * their timeout, as a TCP connection to an unreachable API server may.
 */
class FakeLeaseServer {
  private readonly state: { lease?: V1Lease; version: number } = { version: 0 };

  client(): LeaseApi & { hang: boolean; timeouts: number[] } {
    const server = this.state;
    const pending = () => new Promise<never>(() => undefined);
    const answer = async <T>(f: () => T): Promise<T> => {
      await Promise.resolve();
      return f();
    };
    const api = {
      hang: false,
      timeouts: [] as number[],
      read(_ns: string, _name: string, timeoutMs: number) {
        api.timeouts.push(timeoutMs);
        if (api.hang) return pending();
        return answer(() => {
          if (!server.lease) throw Object.assign(new Error('not found'), { code: 404 });
          return structuredClone(server.lease);
        });
      },
      create(_ns: string, lease: V1Lease, timeoutMs: number) {
        api.timeouts.push(timeoutMs);
        if (api.hang) return pending();
        return answer(() => {
          if (server.lease) throw Object.assign(new Error('exists'), { code: 409 });
          server.lease = {
            ...lease,
            metadata: { ...lease.metadata, resourceVersion: String(++server.version) },
          };
          return structuredClone(server.lease);
        });
      },
      replace(_ns: string, _name: string, lease: V1Lease, timeoutMs: number) {
        api.timeouts.push(timeoutMs);
        if (api.hang) return pending();
        return answer(() => {
          if (lease.metadata?.resourceVersion !== server.lease?.metadata?.resourceVersion)
            throw Object.assign(new Error('conflict'), { code: 409 });
          server.lease = {
            ...lease,
            metadata: { ...lease.metadata, resourceVersion: String(++server.version) },
          };
          return structuredClone(server.lease);
        });
      },
    };
    return api;
  }
}

function elector(api: LeaseApi, identity: string, events: string[] = []) {
  return new LeaderElector(
    api,
    {
      namespace: 'ns',
      name: 'lease',
      identity,
      ...TIMINGS,
      onStartedLeading: () => events.push(`${identity} started`),
      onStoppedLeading: () => events.push(`${identity} stopped`),
    },
    new Registry(),
    log,
  );
}

/** Advances the fake clock in small steps, letting promises settle between them. */
async function advance(ms: number, each?: () => void, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await jest.advanceTimersByTimeAsync(step);
    each?.();
  }
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('LeaderElector', () => {
  it('steps down at last renewal + renew deadline while its Lease requests hang', async () => {
    const server = new FakeLeaseServer();
    const api = server.client();
    const events: string[] = [];
    const a = elector(api, 'a', events);
    a.start();
    await advance(50);
    expect(a.isLeader).toBe(true);
    // The renewal at ~t=300 ms is the last that answers; from then on the API server never answers.
    await advance(300);
    api.hang = true;
    const lastRenewal = performance.now() - 50; // the renewal began at most one step ago
    await advance(2000 - 200);
    expect(a.isLeader).toBe(true);
    await advance(300);
    expect(a.isLeader).toBe(false);
    expect(events).toEqual(['a started', 'a stopped']);
    expect(performance.now() - lastRenewal).toBeLessThan(2000 + 200);
    await a.stop();
  });

  it('never lets two replicas lead at once; the standby leads within lease duration + retry period', async () => {
    const server = new FakeLeaseServer();
    const [apiA, apiB] = [server.client(), server.client()];
    const a = elector(apiA, 'a');
    const b = elector(apiB, 'b');
    a.start();
    await advance(50);
    b.start();
    let both = 0;
    const check = () => {
      if (a.holdsLease() && b.holdsLease()) both++;
    };
    await advance(1000, check);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);

    apiA.hang = true; // the leader's API connection hangs (or the leader is frozen)
    const hungAt = performance.now();
    let tookOver: number | undefined;
    await advance(6000, () => {
      check();
      if (tookOver === undefined && b.holdsLease()) tookOver = performance.now() - hungAt;
    });
    expect(both).toBe(0);
    expect(a.isLeader).toBe(false);
    expect(tookOver).toBeDefined();
    expect(tookOver!).toBeLessThanOrEqual(TIMINGS.leaseDurationSeconds * 1000 + 2 * TIMINGS.retryPeriodMs);

    apiA.hang = false; // it comes back: it must not take the lease from the new leader
    await advance(2000, check);
    expect(both).toBe(0);
    expect([a.isLeader, b.isLeader]).toEqual([false, true]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("gives a leader's Lease requests no longer than what is left of its term", async () => {
    const server = new FakeLeaseServer();
    const api = server.client();
    const a = elector(api, 'a');
    a.start();
    await advance(1000);
    api.timeouts.length = 0;
    await advance(1000);
    expect(api.timeouts.length).toBeGreaterThan(0);
    for (const t of api.timeouts) expect(t).toBeLessThanOrEqual(TIMINGS.renewDeadlineMs);
    await a.stop();
  });

  it('refuses timings that cannot keep one leader', () => {
    expect(leaseTimingProblems(TIMINGS)).toEqual([]);
    expect(
      leaseTimingProblems({ leaseDurationSeconds: 2, renewDeadlineMs: 2000, retryPeriodMs: 300 }),
    ).toHaveLength(1);
    expect(
      leaseTimingProblems({ leaseDurationSeconds: 15, renewDeadlineMs: 2000, retryPeriodMs: 2000 }),
    ).toHaveLength(1);
    expect(() => elector(new FakeLeaseServer().client(), 'a')).not.toThrow();
    const env = { REDIS_URL: 'redis://127.0.0.1:1', LEASE_DURATION_SECONDS: '5', RENEW_DEADLINE_MS: '6000' };
    expect(() => loadOperatorConfig(env)).toThrow(
      /LEASE_DURATION_SECONDS \(5 s\) must be longer than RENEW_DEADLINE_MS/,
    );
    expect(() => loadOperatorConfig({ ...env, RENEW_DEADLINE_MS: '1000', RETRY_PERIOD_MS: '1000' })).toThrow(
      /RENEW_DEADLINE_MS \(1000 ms\) must be longer than RETRY_PERIOD_MS/,
    );
  });
});

describe('LeaderFence', () => {
  it('refuses the writes of work begun in a term that has ended, even after re-election', async () => {
    const server = new FakeLeaseServer();
    const api = server.client();
    const a = elector(api, 'a');
    const fence = new LeaderFence(() => a.currentTerm());
    await expect(fence.run(async () => undefined)).rejects.toBeInstanceOf(NotLeaderError);
    a.start();
    await advance(50);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const oldWork = fence.run(async () => {
      fence.assert(); // allowed: the term runs
      await gate; // e.g. waiting on an allocation request while the term ends
      fence.assert(); // the write that would finish it
    });
    api.hang = true;
    await advance(2100);
    expect(a.isLeader).toBe(false);
    api.hang = false; // before its next round
    await advance(1000); // a quick re-election: a new term
    expect(a.isLeader).toBe(true);
    release();
    await expect(oldWork).rejects.toBeInstanceOf(NotLeaderError);
    await expect(fence.run(async () => fence.assert())).resolves.toBeUndefined();
    await a.stop();
  });
});
