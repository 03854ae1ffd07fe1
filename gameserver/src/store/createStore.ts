import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import { MemoryRoomStore } from './memoryStore.js';
import { createRedisClient, redisConfigured } from './redisConnection.js';
import { RedisRoomStore } from './redisStore.js';
import type { RoomStore } from './roomStore.js';

/** Memory for one process; Redis when REDIS_URL (or REDIS_SENTINELS) is set. */
/** What a room store needs to know: the game server's config, or the operator's. */
export type StoreConfig = Pick<
  Config,
  | 'redisUrl'
  | 'redisSentinels'
  | 'redisSentinelMaster'
  | 'redisPassword'
  | 'redisKeyPrefix'
  | 'roomTtlSeconds'
  | 'serverId'
>;

export async function createRoomStore(
  config: StoreConfig,
  log: Logger,
  observe?: (operation: string, seconds: number) => void,
): Promise<RoomStore> {
  if (!redisConfigured(config)) {
    log.debug('rooms are kept in memory (set REDIS_URL to share them between servers)');
    return new MemoryRoomStore(config.roomTtlSeconds);
  }
  const client = createRedisClient(config, { name: `gb-store-${config.serverId}`, failFast: true });
  client.on('error', (error: Error) => log.debug({ err: error }, 'redis error'));
  const store = new RedisRoomStore(
    client,
    () => createRedisClient(config, { name: `gb-events-${config.serverId}`, failFast: false }),
    { prefix: config.redisKeyPrefix, roomTtlSeconds: config.roomTtlSeconds, ...(observe ? { observe } : {}) },
    log,
  );
  try {
    await store.connect();
  } catch (error) {
    await store.close();
    throw new Error(
      `Cannot reach Redis (${config.redisSentinels.length ? 'sentinels' : 'REDIS_URL'}): ${(error as Error).message}`,
    );
  }
  return store;
}
