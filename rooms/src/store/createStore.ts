import type { Logger } from '../logger.js';
import { MemoryRoomStore } from './memoryStore.js';
import {
  CLUSTER_COMMAND_TIMEOUT_MS,
  createRedisClient,
  isRedisCluster,
  redisConfigured,
  type RedisConfig,
} from './redisConnection.js';
import { RedisRoomStore } from './redisStore.js';
import type { RoomStore } from './roomStore.js';

/** What a room store needs to know: the game server's config, or the operator's. */
export interface StoreConfig extends RedisConfig {
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  redisKeyPrefix: string;
  /** A room without any change for this long is removed. */
  roomTtlSeconds: number;
  /** The process opening the store (names its Redis connections). */
  serverId: string;
  /** REDIS_ACK_REPLICAS and REDIS_ACK_TIMEOUT_MS (see RedisStoreOptions). */
  redisAckReplicas?: number;
  redisAckTimeoutMs?: number;
}

/** Memory for one process; Redis when REDIS_URL (or REDIS_SENTINELS, or REDIS_CLUSTER_NODES) is set. */
export async function createRoomStore(
  config: StoreConfig,
  log: Logger,
  observe?: (operation: string, seconds: number) => void,
): Promise<RoomStore> {
  if (!redisConfigured(config)) {
    log.debug('rooms are kept in memory (set REDIS_URL to share them between servers)');
    return new MemoryRoomStore(config.roomTtlSeconds);
  }
  // WAIT (REDIS_ACK_REPLICAS) runs on the store's connections: their deadline must outlast it, or a
  // slow but successful replication would be reported as a failed write.
  const ackTimeoutMs = config.redisAckTimeoutMs ?? 500;
  const client = createRedisClient(config, {
    name: `gb-store-${config.serverId}`,
    failFast: true,
    commandTimeoutMs: Math.max(CLUSTER_COMMAND_TIMEOUT_MS, ackTimeoutMs + 1_000),
  });
  client.on('error', (error: Error) => log.debug({ err: error }, 'redis error'));
  const store = new RedisRoomStore(
    client,
    () => createRedisClient(config, { name: `gb-events-${config.serverId}`, failFast: false }),
    {
      prefix: config.redisKeyPrefix,
      roomTtlSeconds: config.roomTtlSeconds,
      ackReplicas: config.redisAckReplicas ?? 0,
      ackTimeoutMs,
      ...(observe ? { observe } : {}),
    },
    log,
  );
  try {
    await store.connect();
  } catch (error) {
    await store.close();
    throw new Error(`Cannot reach Redis (${where(config)}): ${(error as Error).message}`);
  }
  return store;
}

function where(config: RedisConfig): string {
  if (isRedisCluster(config)) return `cluster nodes ${config.redisClusterNodes!.join(',')}`;
  return config.redisSentinels.length ? 'sentinels' : 'REDIS_URL';
}
