import { KeyedRateLimiter } from '../rateLimiter.js';

/**
 * A budget per key (a client address): `perMinute` tokens a minute, at most `perMinute` saved up.
 * Asynchronous because the shared implementation lives in Redis.
 */
export interface KeyedLimiter {
  /** True while the key has a token left; spends nothing. */
  check(key: string): Promise<boolean>;
  /** Spends one token; false when none was left. */
  take(key: string): Promise<boolean>;
  /** Gives back a token taken for a try that turned out not to count. */
  refund(key: string): Promise<void>;
  close(): void;
}

/** One process's budgets (no Redis, or Redis unreachable). */
export class MemoryKeyedLimiter implements KeyedLimiter {
  private readonly buckets: KeyedRateLimiter;

  constructor(perMinute: number) {
    this.buckets = new KeyedRateLimiter(perMinute / 60, perMinute);
  }

  async check(key: string): Promise<boolean> {
    return this.buckets.hasToken(key);
  }

  async take(key: string): Promise<boolean> {
    return this.buckets.take(key);
  }

  async refund(key: string): Promise<void> {
    this.buckets.give(key);
  }

  close(): void {
    this.buckets.close();
  }
}

/**
 * Room codes an address has already reached (joined, or looked up successfully). Such a code is no
 * guess from that address, so trying it again is never refused for the address's spent budget: the
 * household whose guest mistyped codes still joins the room it is playing in.
 */
export interface KnownRooms {
  add(address: string, code: string): Promise<void>;
  has(address: string, code: string): Promise<boolean>;
  close(): void;
}

/** How long an address keeps a room it reached (the default room TTL). */
export const KNOWN_ROOM_MS = 2 * 3600 * 1000;

export class MemoryKnownRooms implements KnownRooms {
  private readonly entries = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ttlMs = KNOWN_ROOM_MS) {
    this.sweeper = setInterval(() => this.sweep(), 60_000).unref();
  }

  async add(address: string, code: string): Promise<void> {
    this.entries.set(`${address} ${code}`, Date.now() + this.ttlMs);
  }

  async has(address: string, code: string): Promise<boolean> {
    return (this.entries.get(`${address} ${code}`) ?? 0) > Date.now();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
  }
}
