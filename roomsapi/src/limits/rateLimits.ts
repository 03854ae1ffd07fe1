import type { Logger } from 'pino';
import { createRedisClient, redisConfigured, type RedisClient, type RedisConfig } from '@gamebuddies/rooms';
import { MemoryKeyedLimiter, MemoryKnownRooms, type KeyedLimiter, type KnownRooms } from './keyedLimiter.js';
import { RedisKeyedLimiter, RedisKnownRooms } from './redisLimiter.js';

export interface RateLimitSettings {
  /** Failed guesses (unknown room codes, bad tokens, malformed joins) per address and minute. */
  guessesPerMinute: number;
  /** Rooms created without an API key (`POST /play/rooms`) per address and minute. */
  creationsPerMinute: number;
}

/**
 * The public edge's budgets. With Redis configured they are kept there, so they hold for the whole
 * deployment (every game server, the fleet's router, every operator replica); without it, per process.
 */
export interface RateLimits {
  readonly shared: boolean;
  /** Spent by failures that could be guesses; while spent, tries without a credential are refused. */
  guesses: KeyedLimiter;
  creations: KeyedLimiter;
  knownRooms: KnownRooms;
  close(): Promise<void>;
}

export function memoryRateLimits(settings: RateLimitSettings): RateLimits {
  const limits = {
    guesses: new MemoryKeyedLimiter(settings.guessesPerMinute),
    creations: new MemoryKeyedLimiter(settings.creationsPerMinute),
    knownRooms: new MemoryKnownRooms(),
  };
  return {
    shared: false,
    ...limits,
    async close() {
      limits.guesses.close();
      limits.creations.close();
      limits.knownRooms.close();
    },
  };
}

/** Redis when configured (`<prefix>limit:*` keys, one connection of its own), memory otherwise. */
export function createRateLimits(
  config: RedisConfig & { redisKeyPrefix: string; serverId: string },
  settings: RateLimitSettings,
  log: Logger,
): RateLimits {
  if (!redisConfigured(config)) return memoryRateLimits(settings);
  const redis: RedisClient = createRedisClient(config, {
    name: `gb-limits-${config.serverId}`,
    failFast: true,
  });
  redis.on('error', (error: Error) => log.debug({ err: error }, 'rate limits: redis error'));
  const prefix = `${config.redisKeyPrefix}limit:`;
  const limits = {
    guesses: new RedisKeyedLimiter(redis, `${prefix}guess:`, settings.guessesPerMinute, log),
    creations: new RedisKeyedLimiter(redis, `${prefix}create:`, settings.creationsPerMinute, log),
    knownRooms: new RedisKnownRooms(redis, `${prefix}known:`, log),
  };
  return {
    shared: true,
    ...limits,
    async close() {
      limits.guesses.close();
      limits.creations.close();
      limits.knownRooms.close();
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}
