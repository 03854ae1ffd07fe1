import { createLogger, createRoomStore, type RoomStore } from '@gamebuddies/rooms';

/** The room store a game server (or the operator) opens on this Redis, under its own key prefix. */
export function redisRoomStore(redisUrl: string, keyPrefix: string, serverId: string): Promise<RoomStore> {
  return createRoomStore(
    {
      redisUrl,
      redisSentinels: [],
      redisSentinelMaster: 'mymaster',
      redisPassword: undefined,
      redisKeyPrefix: keyPrefix,
      roomTtlSeconds: 3600,
      serverId,
    },
    createLogger('silent'),
  );
}
