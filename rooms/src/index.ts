/**
 * The rooms domain: what every process (game server, operator, tools) shares. No Socket.IO, no
 * Express, no Agones, no Kubernetes here; transports and orchestrators build on it.
 */
export { createLogger, type Logger } from './logger.js';
export * from './room/roomRecord.js';
export type * from './room/roomEvents.js';
export { snapshotFor, summaryOf } from './room/snapshot.js';
export { hashToken, newRoomCode, newSecretToken, sameHash } from './room/tokens.js';
export * from './plugins/gamePlugin.js';
export { GameRegistry } from './plugins/registry.js';
export {
  RoomService,
  type JoinRequest,
  type JoinResult,
  type RoomServiceOptions,
} from './service/roomService.js';
export type * from './store/roomStore.js';
export { createRoomStore, type StoreConfig } from './store/createStore.js';
export {
  createRedisClient,
  isRedisCluster,
  redisConfigured,
  type RedisClient,
  type RedisConfig,
} from './store/redisConnection.js';
export { MemoryRoomStore } from './store/memoryStore.js';
export { RedisRoomStore, type RedisStoreOptions } from './store/redisStore.js';
export * from './store/idempotency.js';
export { RoomOwnership, type OwnershipOptions } from './ownership/roomOwnership.js';
export { RoomTimerScheduler } from './ownership/timerScheduler.js';
