import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ItemRateLimiter } from './rateLimiter.js';

export interface WorkQueueMetrics {
  depth: Gauge;
  adds: Counter;
  retries: Counter;
  queueDuration: Histogram;
  workDuration: Histogram;
}

const SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

export function workQueueMetrics(registry: Registry): WorkQueueMetrics {
  return {
    depth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers: [registry],
    }),
    adds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers: [registry],
    }),
    queueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: SECONDS,
      registers: [registry],
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: SECONDS,
      registers: [registry],
    }),
  };
}

/**
 * A rate-limited work queue with client-go's guarantees: a key waiting is queued once however often
 * it is added (dedupe), a key is processed by one worker at a time (added again while processing, it
 * is queued after `done`), failures back off per key, and `addAfter` delays a key (requeue-after).
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private closed = false;

  constructor(
    readonly name: string,
    private readonly metrics: WorkQueueMetrics,
    private readonly limiter = new ItemRateLimiter(),
  ) {}

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.metrics.adds.inc({ name: this.name });
    this.dirty.add(key);
    this.addedAt.set(key, Date.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds the key after `ms` (an earlier pending add wins). */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const current = this.delayed.get(key);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after its back-off: the key failed again. */
  addRateLimited(key: string): void {
    this.metrics.retries.inc({ name: this.name });
    this.addAfter(key, this.limiter.when(key));
  }

  /** The key succeeded: its back-off starts over. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  retries(key: string): number {
    return this.limiter.retries(key);
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.begin(key));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    if (started !== undefined)
      this.metrics.workDuration.observe({ name: this.name }, (Date.now() - started) / 1000);
    this.startedAt.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Takes work again after a shutdown (a replica that lost, then regained, leadership). */
  reopen(): void {
    this.closed = false;
  }

  shutdown(): void {
    this.closed = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const wake of this.waiters.splice(0)) wake(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.begin(key));
    this.queue.push(key);
    this.metrics.depth.set({ name: this.name }, this.queue.length);
  }

  private begin(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    if (added !== undefined)
      this.metrics.queueDuration.observe({ name: this.name }, (Date.now() - added) / 1000);
    this.addedAt.delete(key);
    this.startedAt.set(key, Date.now());
    this.metrics.depth.set({ name: this.name }, this.queue.length);
    return key;
  }
}
