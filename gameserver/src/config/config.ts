import { z } from 'zod';
import {
  booleanFromEnv,
  commaList,
  ConfigError,
  pairingProblems,
  parseEnv,
  redisEnvShape,
  redisFromEnv,
  webhookEnvShape,
} from '@gamebuddies/protocol';
import {
  parseApiKeys,
  tokenEncryptionProblems,
  TokenEncryptionKeysEnv,
  TrustProxyEnv,
  type ApiKey,
  type TokenSealer,
  type TrustProxy,
} from '@gamebuddies/rooms-api';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** `/metrics` on this port only (not on PORT); unset: on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  SERVER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,63}$/, 'letters, digits, ".", "_" or "-", at most 63 characters')
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  MAX_ROOMS: z.coerce.number().int().min(1).max(100_000).default(100),
  ...redisEnvShape,
  SOCKET_ADAPTER: z.enum(['sharded', 'streams']).default('sharded'),
  API_KEYS: commaList.default([]),
  OPEN_ROOM_CREATION: booleanFromEnv.optional(),
  ROOM_CREATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  TOKEN_ENCRYPTION_KEY: TokenEncryptionKeysEnv.optional(),
  LEGACY_TOKEN_LINKS: booleanFromEnv.default(true),
  LOOKUP_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEB_ROOT: z.string().min(1).optional(),
  ...webhookEnvShape,
  RECONNECT_GRACE_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  ROOM_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(7200),
  ACTION_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(10),
  ACTION_BURST: z.coerce.number().int().min(1).max(10_000).default(20),
  JOIN_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  AGONES_ENABLED: booleanFromEnv.default(false),
  AGONES_SDK_GRPC_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  AGONES_HEALTH_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  // A drained (or rolled-out) server's rooms get this long to end before they are moved elsewhere.
  DRAIN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600 * 1000)
    .default(1_800_000),
  ROOM_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
  // A game notices a dead link in a few seconds, not Socket.IO's 25 s + 20 s (see docs/protocol.md).
  PING_INTERVAL_MS: z.coerce.number().int().min(1000).max(60_000).default(4000),
  PING_TIMEOUT_MS: z.coerce.number().int().min(1000).max(60_000).default(4000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  CORS_ORIGINS: commaList.default([]),
  TRUST_PROXY: TrustProxyEnv.default({ kind: 'none' }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  /** METRICS_PORT: `/metrics` served there instead of on `port`. */
  metricsPort: number | undefined;
  host: string;
  serverId: string;
  /** PUBLIC_URL: base URL players reach this server at (join URLs); the listen URL when unset. */
  publicUrl: string | undefined;
  maxRooms: number;
  redisUrl: string | undefined;
  /** Sentinel addresses (host:port); with them REDIS_URL is not needed. */
  redisSentinels: string[];
  redisSentinelMaster: string;
  redisPassword: string | undefined;
  /** The Sentinels' own password (REDIS_SENTINEL_PASSWORD). */
  redisSentinelPassword: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES, or a redis+cluster:// REDIS_URL). */
  redisClusterNodes: string[];
  redisKeyPrefix: string;
  /** Socket.IO adapter on Redis: sharded Pub/Sub or Redis Streams (see docs/state.md). */
  socketAdapter: 'sharded' | 'streams';
  /** Parsed API_KEYS (`<key>` or `<key>:read`); the secrets themselves are kept only as digests. */
  apiKeys: ApiKey[];
  /** GameBuddies endpoint for room and player events, HMAC-signed with the secret. */
  webhook: { url: string; secret: string } | undefined;
  /** POST /play/rooms without a key: on by default only where no Rooms API key exists. */
  openRoomCreation: boolean;
  roomCreationsPerMinute: number;
  /** Seals the answers of idempotent creates (host tokens) kept in Redis (TOKEN_ENCRYPTION_KEY). */
  tokenSealer: TokenSealer | undefined;
  /** Old `?token=` host links still followed (see docs/rooms-api.md). */
  legacyTokenLinks: boolean;
  /**
   * A `/r/:code` lookup that outlives this server (the local fleet's front, the cluster's Rooms API):
   * pages find their room there when this server is gone.
   */
  lookupUrl: string | undefined;
  /** Folder of the web client to serve at `/` (default: the built `web/` workspace). */
  webRoot: string | undefined;
  reconnectGraceMs: number;
  roomTtlSeconds: number;
  actionRatePerSec: number;
  actionBurst: number;
  joinFailuresPerMinute: number;
  /**
   * Under Agones (AGONES_ENABLED, or AGONES_SDK_GRPC_PORT set by the sidecar): the SDK lifecycle, and
   * rooms served only when in the GameServer's `rooms` List.
   */
  agones: { healthIntervalMs: number; drainTimeoutMs: number } | undefined;
  /** Lease on a room's timers; after a crash another server takes the room over within this. */
  roomLeaseMs: number;
  /**
   * Socket.IO heartbeat: the server pings every `pingIntervalMs` and drops a socket that does not
   * answer within `pingTimeoutMs`; clients learn both in the handshake and give up on a silent server
   * after their sum. A player whose network went away is shown offline within that sum.
   */
  heartbeat: { pingIntervalMs: number; pingTimeoutMs: number };
  shutdownTimeoutMs: number;
  /** Extra origins whose pages may read `/r/`, `/play` and open Socket.IO (`*`: any). */
  corsOrigins: string[];
  /** Which proxies in front may name the client (X-Forwarded-For); rate limits key on the result. */
  trustProxy: TrustProxy;
  /** Acknowledge a write only once this many Redis replicas have it (WAIT), within redisAckTimeoutMs. */
  redisAckReplicas: number;
  redisAckTimeoutMs: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
}

export { ConfigError };

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(EnvSchema, env);
  const problems = pairingProblems(e);
  const agones = e.AGONES_ENABLED || e.AGONES_SDK_GRPC_PORT !== undefined;
  if (agones && !e.REDIS_URL && !e.REDIS_SENTINELS?.length && !e.REDIS_CLUSTER_NODES?.length) {
    problems.push(
      'AGONES_ENABLED (or AGONES_SDK_GRPC_PORT): a server under Agones needs REDIS_URL, where the operator puts its rooms',
    );
  }
  let apiKeys: ApiKey[] = [];
  try {
    apiKeys = parseApiKeys(e.API_KEYS);
  } catch (error) {
    problems.push(`API_KEYS=(hidden): ${(error as Error).message}`);
  }
  problems.push(...tokenEncryptionProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    host: e.HOST,
    serverId: e.SERVER_ID ?? `server-${e.PORT}`,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    maxRooms: e.MAX_ROOMS,
    ...redisFromEnv(e),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    socketAdapter: e.SOCKET_ADAPTER,
    apiKeys,
    webhook: e.WEBHOOK_URL && e.WEBHOOK_SECRET ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : undefined,
    openRoomCreation: e.OPEN_ROOM_CREATION ?? apiKeys.length === 0,
    roomCreationsPerMinute: e.ROOM_CREATIONS_PER_MINUTE,
    tokenSealer: e.TOKEN_ENCRYPTION_KEY,
    legacyTokenLinks: e.LEGACY_TOKEN_LINKS,
    lookupUrl: e.LOOKUP_URL?.replace(/\/+$/, ''),
    webRoot: e.WEB_ROOT,
    reconnectGraceMs: e.RECONNECT_GRACE_MS,
    roomTtlSeconds: e.ROOM_TTL_SECONDS,
    actionRatePerSec: e.ACTION_RATE_PER_SEC,
    actionBurst: e.ACTION_BURST,
    joinFailuresPerMinute: e.JOIN_FAILURES_PER_MINUTE,
    agones: agones
      ? { healthIntervalMs: e.AGONES_HEALTH_INTERVAL_MS, drainTimeoutMs: e.DRAIN_TIMEOUT_MS }
      : undefined,
    roomLeaseMs: e.ROOM_LEASE_MS,
    heartbeat: { pingIntervalMs: e.PING_INTERVAL_MS, pingTimeoutMs: e.PING_TIMEOUT_MS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    redisAckReplicas: e.REDIS_ACK_REPLICAS,
    redisAckTimeoutMs: e.REDIS_ACK_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}
