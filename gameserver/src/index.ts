/** What other packages (the operator) use of the game server: rooms, stores and games. */
export { loadConfig, ConfigError, type Config } from './config/config.js';
export { createLogger, type Logger } from './logger.js';
export { builtinGames } from './games/index.js';
export { GameRegistry } from './plugins/registry.js';
export type { AnyGamePlugin, GamePlugin } from './plugins/gamePlugin.js';
export { RoomService, type RoomServiceOptions } from './rooms/roomService.js';
export type { RoomRecord } from './rooms/roomRecord.js';
export { summaryOf } from './rooms/snapshot.js';
export { newRoomCode } from './rooms/tokens.js';
export { createRoomStore, type StoreConfig } from './store/createStore.js';
export { createRedisClient, redisConfigured, type RedisConfig } from './store/redisConnection.js';
export type { RoomStore } from './store/roomStore.js';
