/**
 * A log-bucketed latency histogram (about 1 % resolution from 1 µs to minutes) that can be sent
 * between processes and merged: every worker keeps its own, the coordinator adds them up, so the
 * percentiles cover every sample without shipping the samples.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values below this (ms) share bucket 0. */
const MIN_MS = 0.001;

export type SparseBuckets = Record<number, number>;

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class Histogram {
  private buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const value = Math.max(0, ms);
    const index = value <= MIN_MS ? 0 : Math.ceil(Math.log(value / MIN_MS) / LOG_GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** The buckets to send to another process. */
  toJSON(): { buckets: SparseBuckets; count: number; sum: number; max: number } {
    return { buckets: Object.fromEntries(this.buckets), count: this.count, sum: this.sum, max: this.max };
  }

  add(other: { buckets: SparseBuckets; count: number; sum: number; max: number }): void {
    for (const [key, n] of Object.entries(other.buckets)) {
      const index = Number(key);
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    }
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.buckets.clear();
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** Nearest-rank percentile; the bucket's upper edge (never more than the largest value seen). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const index of indexes) {
      seen += this.buckets.get(index)!;
      if (seen >= rank) return Math.min(this.max, index === 0 ? MIN_MS : MIN_MS * GROWTH ** index);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : NaN,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.count ? this.max : NaN,
    };
  }
}
