/** Token bucket: `ratePerSec` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token; false when none is left. */
  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  hasToken(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** Gives back a token taken for something that turned out not to count. */
  give(now = Date.now()): void {
    this.refill(now);
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSec);
    this.updatedAt = now;
  }
}

/** One bucket per key (an IP address); buckets that refilled completely are forgotten. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000).unref();
  }

  hasToken(key: string): boolean {
    return this.buckets.get(key)?.hasToken() ?? true;
  }

  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSec, this.burst);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  give(key: string): void {
    this.buckets.get(key)?.give();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key);
  }
}
