/**
 * client-go's default controller rate limiter: per-item exponential back-off (5 ms doubling up to
 * 1000 s) combined, by maximum, with an overall token bucket (10 per second, bursts of 100).
 */
export class ItemRateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens: number;
  private updatedAt = Date.now();
  private nextFree = 0;

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
    private readonly qps = 10,
    private readonly burst = 100,
  ) {
    this.tokens = burst;
  }

  /** Delay before the key may be processed again after a failure. */
  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const itemDelay = Math.min(this.maxMs, this.baseMs * 2 ** failures);
    return Math.max(itemDelay, this.bucketDelay());
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  private bucketDelay(): number {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.qps);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    // Reserve the next token: callers queue up one token interval apart.
    this.nextFree = Math.max(now, this.nextFree) + 1000 / this.qps;
    return this.nextFree - now;
  }
}
