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
import { leaseTimingProblems } from './controller/leaderElection.js';

const EnvSchema = z.object({
  /** Namespace the operator runs in (its Lease lives there). */
  POD_NAMESPACE: z.string().min(1).default('default'),
  POD_NAME: z.string().min(1).optional(),
  /** Namespace whose GameRooms (and Agones GameServers) the operator manages. */
  WATCH_NAMESPACE: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PROBE_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  API_KEYS: commaList.default([]),
  /** Which proxies in front (the Ingress) may name the client in X-Forwarded-For. */
  TRUST_PROXY: TrustProxyEnv.default({ kind: 'none' }),
  /** Failed `/r/:code` lookups per client address and minute (shared through Redis). */
  JOIN_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Origins whose pages may read `/r/` (`*`: any) and call the Rooms API (listed ones only). */
  CORS_ORIGINS: commaList.default([]),
  TOKEN_ENCRYPTION_KEY: TokenEncryptionKeysEnv.optional(),
  LEGACY_TOKEN_LINKS: booleanFromEnv.default(true),
  ...redisEnvShape,
  ROOM_TTL_SECONDS: z.coerce.number().int().min(10).default(7200),
  RECONNECT_GRACE_MS: z.coerce.number().int().min(100).default(120_000),
  /**
   * spread: an idle (Ready) server first, then the Allocated one with the most free slots; pack: the
   * fullest Allocated server with a free slot first. The old names are still accepted: least-loaded
   * (meant to spread, though it packed) is spread, packed is pack.
   */
  ALLOCATION_STRATEGY: z
    .enum(['spread', 'pack', 'least-loaded', 'packed'])
    .default('spread')
    .transform((v): 'spread' | 'pack' => (v === 'spread' || v === 'least-loaded' ? 'spread' : 'pack')),
  ROOMS_LIST: z.string().min(1).default('rooms'),
  GAME_TYPE_LABEL: z.string().min(1).default('gamebuddies.io/game-type'),
  LEADER_ELECTION: booleanFromEnv.default(true),
  LEASE_NAME: z.string().min(1).default('gamebuddies-operator'),
  LEASE_DURATION_SECONDS: z.coerce.number().int().min(2).default(15),
  RENEW_DEADLINE_MS: z.coerce.number().int().min(500).default(10_000),
  RETRY_PERIOD_MS: z.coerce.number().int().min(100).default(2000),
  /** Bound on every Kubernetes API request but watches (a hung API server must not hang the loop). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** GameRooms made through the Rooms API are deleted this long after they finish. */
  GAMEROOM_TTL_SECONDS_AFTER_FINISHED: z.coerce.number().int().min(0).default(300),
  WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  /** How often a Ready room's player count is refreshed from the store. */
  REFRESH_SECONDS: z.coerce.number().int().min(1).default(30),
  ...webhookEnvShape,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface OperatorConfig {
  podNamespace: string;
  identity: string;
  watchNamespace: string;
  port: number;
  probePort: number;
  host: string;
  publicUrl: string | undefined;
  apiKeys: ApiKey[];
  trustProxy: TrustProxy;
  lookupFailuresPerMinute: number;
  corsOrigins: string[];
  tokenSealer: TokenSealer | undefined;
  legacyTokenLinks: boolean;
  redis: {
    redisUrl: string | undefined;
    redisSentinels: string[];
    redisSentinelMaster: string;
    redisPassword: string | undefined;
    /** The Sentinels' own password (REDIS_SENTINEL_PASSWORD). */
    redisSentinelPassword: string | undefined;
    /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES, or a redis+cluster:// REDIS_URL). */
    redisClusterNodes: string[];
  };
  redisKeyPrefix: string;
  redisAckReplicas: number;
  redisAckTimeoutMs: number;
  roomTtlSeconds: number;
  reconnectGraceMs: number;
  allocationStrategy: 'spread' | 'pack';
  roomsList: string;
  gameTypeLabel: string;
  leaderElection: boolean;
  leaseName: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  requestTimeoutMs: number;
  gameRoomTtlSecondsAfterFinished: number;
  workers: number;
  refreshSeconds: number;
  webhook: { url: string; secret: string } | undefined;
  logLevel: string;
}

/** Kept under the operator's name for callers; the same error the game server throws. */
export { ConfigError as OperatorConfigError };

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const e = parseEnv(EnvSchema, env);
  const problems = pairingProblems(e);
  if (!e.REDIS_URL && !e.REDIS_SENTINELS?.length && !e.REDIS_CLUSTER_NODES?.length) {
    problems.push(
      'REDIS_URL (or REDIS_SENTINELS, or REDIS_CLUSTER_NODES): the operator keeps rooms in the same Redis as the game servers',
    );
  }
  let apiKeys: ApiKey[] = [];
  try {
    apiKeys = parseApiKeys(e.API_KEYS);
  } catch (error) {
    problems.push(`API_KEYS=(hidden): ${(error as Error).message}`);
  }
  problems.push(...tokenEncryptionProblems(e));
  if (e.LEADER_ELECTION) {
    problems.push(
      ...leaseTimingProblems({
        leaseDurationSeconds: e.LEASE_DURATION_SECONDS,
        renewDeadlineMs: e.RENEW_DEADLINE_MS,
        retryPeriodMs: e.RETRY_PERIOD_MS,
      }),
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    podNamespace: e.POD_NAMESPACE,
    identity: e.POD_NAME ?? `operator-${process.pid}`,
    watchNamespace: e.WATCH_NAMESPACE ?? e.POD_NAMESPACE,
    port: e.PORT,
    probePort: e.PROBE_PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    apiKeys,
    trustProxy: e.TRUST_PROXY,
    lookupFailuresPerMinute: e.JOIN_FAILURES_PER_MINUTE,
    corsOrigins: e.CORS_ORIGINS,
    tokenSealer: e.TOKEN_ENCRYPTION_KEY,
    legacyTokenLinks: e.LEGACY_TOKEN_LINKS,
    redis: redisFromEnv(e),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    redisAckReplicas: e.REDIS_ACK_REPLICAS,
    redisAckTimeoutMs: e.REDIS_ACK_TIMEOUT_MS,
    roomTtlSeconds: e.ROOM_TTL_SECONDS,
    reconnectGraceMs: e.RECONNECT_GRACE_MS,
    allocationStrategy: e.ALLOCATION_STRATEGY,
    roomsList: e.ROOMS_LIST,
    gameTypeLabel: e.GAME_TYPE_LABEL,
    leaderElection: e.LEADER_ELECTION,
    leaseName: e.LEASE_NAME,
    leaseDurationSeconds: e.LEASE_DURATION_SECONDS,
    renewDeadlineMs: e.RENEW_DEADLINE_MS,
    retryPeriodMs: e.RETRY_PERIOD_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    gameRoomTtlSecondsAfterFinished: e.GAMEROOM_TTL_SECONDS_AFTER_FINISHED,
    workers: e.WORKERS,
    refreshSeconds: e.REFRESH_SECONDS,
    webhook: e.WEBHOOK_URL && e.WEBHOOK_SECRET ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
