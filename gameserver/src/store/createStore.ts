import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import { MemoryRoomStore } from './memoryStore.js';
import type { RoomStore } from './roomStore.js';

/** Memory for one process; Redis when REDIS_URL is set. */
export async function createRoomStore(config: Config, log: Logger): Promise<RoomStore> {
  if (config.redisUrl) {
    throw new Error('REDIS_URL is set but this build has no Redis store yet');
  }
  log.debug('rooms are kept in memory (set REDIS_URL to share them between servers)');
  return new MemoryRoomStore(config.roomTtlSeconds);
}
