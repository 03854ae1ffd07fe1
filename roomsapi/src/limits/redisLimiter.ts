import type { RedisClient } from '@gamebuddies/rooms';
import type { Logger } from 'pino';
import {
  KNOWN_ROOM_MS,
  MemoryKeyedLimiter,
  MemoryKnownRooms,
  type KeyedLimiter,
  type KnownRooms,
} from './keyedLimiter.js';

/**
 * The token bucket of `TokenBucket`, in Redis: one hash per key { t: tokens, at: ms }, refilled from
 * Redis' own clock (replicas' clocks never disagree about it), expiring once full again.
 * ARGV: tokens per ms, burst, cost (1 = take one, 0 = look only, -1 = give one back).
 */
const BUCKET = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local saved = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if cost == 0 then
  if tokens >= 1 then return 1 end
  return 0
end
if cost > 0 and tokens < 1 then return 0 end
tokens = math.min(burst, tokens - cost)
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return 1
`;

type LimiterClient = RedisClient & {
  gbBucket(key: string, ratePerMs: string, burst: number, cost: number): Promise<number>;
};

function withBucket(redis: RedisClient): LimiterClient {
  const client = redis as LimiterClient;
  if (typeof client.gbBucket !== 'function')
    client.defineCommand('gbBucket', { numberOfKeys: 1, lua: BUCKET });
  return client;
}

/**
 * While Redis cannot be reached a replica keeps limiting on its own (each replica then grants the
 * whole budget: the limit is never off, only per process until Redis is back).
 */
class Fallback {
  private warned = false;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  async run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      const result = await shared();
      this.warned = false;
      return result;
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        this.log.warn(
          { err: error, limit: this.what },
          'rate limits: Redis unreachable, limiting per process',
        );
      }
      return local();
    }
  }
}

/** A budget shared by every process on the same Redis (and key prefix). */
export class RedisKeyedLimiter implements KeyedLimiter {
  private readonly client: LimiterClient;
  private readonly local: MemoryKeyedLimiter;
  private readonly fallback: Fallback;
  private readonly ratePerMs: string;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly perMinute: number,
    log: Logger,
  ) {
    this.client = withBucket(redis);
    this.local = new MemoryKeyedLimiter(perMinute);
    this.fallback = new Fallback(log, prefix);
    this.ratePerMs = String(perMinute / 60_000);
  }

  check(key: string): Promise<boolean> {
    return this.fallback.run(
      async () => (await this.client.gbBucket(this.prefix + key, this.ratePerMs, this.perMinute, 0)) === 1,
      () => this.local.check(key),
    );
  }

  take(key: string): Promise<boolean> {
    return this.fallback.run(
      async () => (await this.client.gbBucket(this.prefix + key, this.ratePerMs, this.perMinute, 1)) === 1,
      () => this.local.take(key),
    );
  }

  async refund(key: string): Promise<void> {
    await this.fallback.run(
      async () => void (await this.client.gbBucket(this.prefix + key, this.ratePerMs, this.perMinute, -1)),
      () => this.local.refund(key),
    );
  }

  close(): void {
    this.local.close();
  }
}

export class RedisKnownRooms implements KnownRooms {
  private readonly local = new MemoryKnownRooms();
  private readonly fallback: Fallback;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    log: Logger,
  ) {
    this.fallback = new Fallback(log, prefix);
  }

  async add(address: string, code: string): Promise<void> {
    await this.local.add(address, code);
    await this.fallback.run(
      async () => void (await this.redis.set(this.key(address, code), '1', 'PX', KNOWN_ROOM_MS)),
      async () => undefined,
    );
  }

  has(address: string, code: string): Promise<boolean> {
    return this.fallback.run(
      async () => (await this.redis.exists(this.key(address, code))) === 1,
      () => this.local.has(address, code),
    );
  }

  close(): void {
    this.local.close();
  }

  private key(address: string, code: string): string {
    return `${this.prefix}${address}:${code}`;
  }
}
