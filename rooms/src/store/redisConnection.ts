import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a URL, or the Sentinels that know the master (REDIS_* variables). */
export interface RedisConfig {
  redisUrl: string | undefined;
  /** Sentinel addresses (host:port); with them redisUrl is not needed. */
  redisSentinels: string[];
  redisSentinelMaster: string;
  redisPassword: string | undefined;
  /** Password of the Sentinels themselves (their `requirepass`), when they have one. */
  redisSentinelPassword?: string | undefined;
}

export function redisConfigured(config: RedisConfig): boolean {
  return Boolean(config.redisUrl) || config.redisSentinels.length > 0;
}

/**
 * A client for REDIS_URL, or for the master behind REDIS_SENTINELS. `failFast` clients refuse
 * commands while disconnected instead of queueing them, and never replay a command after a
 * reconnect: a replayed compare-and-set could apply a change twice.
 */
export function createRedisClient(config: RedisConfig, options: { name: string; failFast: boolean }): Redis {
  const common: RedisOptions = {
    connectionName: options.name,
    // Keep trying to reconnect, at most every 2 s: the server stays up while Redis is away.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    ...(options.failFast
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 0 }
      : { maxRetriesPerRequest: null }),
    ...(config.redisPassword ? { password: config.redisPassword } : {}),
  };
  if (config.redisSentinels.length > 0) {
    return new Redis({
      ...common,
      sentinels: config.redisSentinels.map((entry) => {
        const [host, port] = entry.split(':');
        return { host: host!, port: Number(port) };
      }),
      name: config.redisSentinelMaster,
      ...(config.redisSentinelPassword ? { sentinelPassword: config.redisSentinelPassword } : {}),
    });
  }
  if (!config.redisUrl) throw new Error('REDIS_URL or REDIS_SENTINELS is required');
  return new Redis(config.redisUrl, common);
}
