import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { WorkQueue, workQueueMetrics } from '../../src/controller/workQueue.js';
import { ItemRateLimiter } from '../../src/controller/rateLimiter.js';

const queue = () => new WorkQueue('test', workQueueMetrics(new Registry()));

describe('WorkQueue', () => {
  it('queues a waiting key once however often it is added', async () => {
    const q = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands one key to two workers: added while processing, it comes back after done', async () => {
    const q = queue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await new Promise((r) => setImmediate(r));
    expect(second).toBeUndefined();
    q.done(key!);
    await new Promise((r) => setImmediate(r));
    expect(second).toBe('a');
  });

  it('delays a key with addAfter, keeping the earliest, and wakes waiting workers on shutdown', async () => {
    const q = queue();
    q.addAfter('a', 200);
    q.addAfter('a', 50);
    const started = Date.now();
    expect(await q.get()).toBe('a');
    expect(Date.now() - started).toBeLessThan(190);
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
  });

  it('backs off a failing key exponentially and forgets after success', () => {
    const limiter = new ItemRateLimiter(5, 1000, 1000, 1000);
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([
      5, 10, 20, 40,
    ]);
    expect(limiter.when('b')).toBe(5);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
    for (let i = 0; i < 20; i++) limiter.when('c');
    expect(limiter.when('c')).toBe(1000);
  });

  it('limits the overall rate with a token bucket once the burst is spent', () => {
    const limiter = new ItemRateLimiter(0, 0, 10, 2);
    expect(limiter.when('a')).toBe(0);
    expect(limiter.when('b')).toBe(0);
    expect(limiter.when('c')).toBeGreaterThan(50);
  });
});
