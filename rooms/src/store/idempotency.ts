import type { RedisClient } from './redisConnection.js';

export interface SavedResponse {
  status: number;
  body: unknown;
}

export type IdempotencyState =
  | { state: 'new' }
  | { state: 'in-progress' }
  | { state: 'mismatch' }
  | { state: 'done'; response: SavedResponse };

/**
 * Remembers the answer to a request made with an `Idempotency-Key`, so a retried create returns
 * the same room instead of a second one. Keys are scoped by API key and bound to the request body.
 */
export interface IdempotencyStore {
  /** Reserves the key for this request, or tells what happened to an earlier one with the same key. */
  begin(key: string, fingerprint: string): Promise<IdempotencyState>;
  complete(key: string, fingerprint: string, response: SavedResponse): Promise<void>;
  /** The request failed: a retry with the same key may try again. */
  abandon(key: string): Promise<void>;
}

interface Entry {
  fingerprint: string;
  response?: SavedResponse;
  expiresAt: number;
}

/** How long a request may stay "in progress" before a retry may take over (a crashed worker). */
const PENDING_MS = 60_000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlSeconds = 24 * 3600) {}

  async begin(key: string, fingerprint: string): Promise<IdempotencyState> {
    this.sweep();
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { fingerprint, expiresAt: Date.now() + PENDING_MS });
      return { state: 'new' };
    }
    if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
    return entry.response ? { state: 'done', response: entry.response } : { state: 'in-progress' };
  }

  async complete(key: string, fingerprint: string, response: SavedResponse): Promise<void> {
    this.entries.set(key, { fingerprint, response, expiresAt: Date.now() + this.ttlSeconds * 1000 });
  }

  async abandon(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/** Shared by every replica of the API: `<prefix>idem:<key>` = { fingerprint, response? } (one key: any slot). */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisClient,
    /** The Redis key of an idempotency key (RedisKeys.idempotency). */
    private readonly key: (key: string) => string,
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  async begin(key: string, fingerprint: string): Promise<IdempotencyState> {
    const redisKey = this.key(key);
    const reserved = await this.redis.set(redisKey, JSON.stringify({ fingerprint }), 'PX', PENDING_MS, 'NX');
    if (reserved === 'OK') return { state: 'new' };
    const raw = await this.redis.get(redisKey);
    if (!raw) return this.begin(key, fingerprint);
    const entry = JSON.parse(raw) as { fingerprint: string; response?: SavedResponse };
    if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
    return entry.response ? { state: 'done', response: entry.response } : { state: 'in-progress' };
  }

  async complete(key: string, fingerprint: string, response: SavedResponse): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify({ fingerprint, response }), 'EX', this.ttlSeconds);
  }

  async abandon(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }
}
