import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Where Redis is: a URL, the Sentinels that know the master, or a Cluster's nodes (REDIS_* variables). */
export interface RedisConfig {
  redisUrl: string | undefined;
  /** Sentinel addresses (host:port); with them redisUrl is not needed. */
  redisSentinels: string[];
  redisSentinelMaster: string;
  redisPassword: string | undefined;
  /** Password of the Sentinels themselves (their `requirepass`), when they have one. */
  redisSentinelPassword?: string | undefined;
  /**
   * Seed nodes of a Redis (Valkey) Cluster (host:port; REDIS_CLUSTER_NODES or a `redis+cluster://`
   * REDIS_URL): the client discovers the other nodes and follows MOVED/ASK redirections.
   */
  redisClusterNodes?: string[] | undefined;
}

/** A connection to one Redis (standalone or Sentinel's master) or to a whole Redis Cluster. */
export type RedisClient = Redis | Cluster;

export function redisConfigured(config: RedisConfig): boolean {
  return Boolean(config.redisUrl) || config.redisSentinels.length > 0 || isRedisCluster(config);
}

export function isRedisCluster(config: RedisConfig): boolean {
  return (config.redisClusterNodes?.length ?? 0) > 0;
}

/**
 * On a cluster every command has a deadline: a shard that stops answering (paused, partitioned)
 * must turn into STORE_UNAVAILABLE for the calls routed to it, not hang them. The store's own
 * connections also carry WAIT (REDIS_ACK_REPLICAS), so createRoomStore gives them a deadline past
 * REDIS_ACK_TIMEOUT_MS when that is longer.
 */
export const CLUSTER_COMMAND_TIMEOUT_MS = 5_000;

/**
 * A client for REDIS_URL, for the master behind REDIS_SENTINELS, or for the cluster of
 * REDIS_CLUSTER_NODES. `failFast` clients refuse commands while disconnected instead of queueing
 * them, and never replay a command after a reconnect: a replayed compare-and-set could apply a
 * change twice. `shardedSubscriber`: one subscriber connection per master (cluster only), for
 * SSUBSCRIBE (the Socket.IO adapter).
 */
export function createRedisClient(
  config: RedisConfig,
  options: { name: string; failFast: boolean; shardedSubscriber?: boolean; commandTimeoutMs?: number },
): RedisClient {
  const common: RedisOptions = {
    connectionName: options.name,
    // Keep trying to reconnect, at most every 2 s: the server stays up while Redis is away.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    ...(options.failFast
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 0 }
      : { maxRetriesPerRequest: null }),
    ...(config.redisPassword ? { password: config.redisPassword } : {}),
  };
  if (isRedisCluster(config)) return createClusterClient(config, options);
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
  if (!config.redisUrl) throw new Error('REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES is required');
  return new Redis(config.redisUrl, common);
}

function createClusterClient(
  config: RedisConfig,
  options: { name: string; failFast: boolean; shardedSubscriber?: boolean; commandTimeoutMs?: number },
): Cluster {
  const nodes = (config.redisClusterNodes ?? []).map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
  const clusterOptions: ClusterOptions = {
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    // After a failover the slots move to the promoted replica: ask the cluster again soon.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2_000,
    // Failing fast, a command gets no retry once sent (a compare-and-set is not replayed), but MOVED
    // and ASK are still followed: a redirected command was not executed by the node that refused it.
    maxRedirections: 16,
    enableOfflineQueue: !options.failFast,
    ...(options.shardedSubscriber ? { shardedSubscribers: true } : {}),
    redisOptions: {
      connectionName: options.name,
      connectTimeout: 2_000,
      ...(options.failFast
        ? {
            maxRetriesPerRequest: 0,
            commandTimeout: options.commandTimeoutMs ?? CLUSTER_COMMAND_TIMEOUT_MS,
          }
        : { maxRetriesPerRequest: null }),
      ...(config.redisPassword ? { password: config.redisPassword } : {}),
    },
  };
  return new Cluster(nodes, clusterOptions);
}
