import { z } from 'zod';

/** Helpers for configuration read from the environment, shared by the game server and the operator. */

export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** The Redis variables both processes read (the same store, the same key prefix). */
const hostPort = z.string().regex(/^[^:\s,/]+:\d{1,5}$/, 'host:port entries');

/**
 * `redis+cluster://[:password@]host:port[,host:port...]`: the seed nodes of a Redis (Valkey)
 * Cluster, the form some hosted clusters hand out. Not a WHATWG URL (several hosts), so read here.
 */
const CLUSTER_URL = /^redis\+cluster:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^@/?#]+)\/?$/;

export function parseClusterUrl(url: string): { nodes: string[]; password: string | undefined } | undefined {
  const match = CLUSTER_URL.exec(url);
  if (!match) return undefined;
  const nodes = match[2]!.split(',').map((n) => n.trim());
  if (nodes.length === 0 || !nodes.every((n) => hostPort.safeParse(n).success)) return undefined;
  return { nodes, password: match[1] ? decodeURIComponent(match[1]) : undefined };
}

export const redisEnvShape = {
  REDIS_URL: z
    .string()
    .refine(
      (value) =>
        value.startsWith('redis+cluster:')
          ? parseClusterUrl(value) !== undefined
          : z.url({ protocol: /^rediss?$/ }).safeParse(value).success,
      'a redis:// or rediss:// URL, or redis+cluster://host:port[,host:port...]',
    )
    .optional(),
  /** Seed nodes of a Redis (Valkey) Cluster: the store and the adapter then use the cluster client. */
  REDIS_CLUSTER_NODES: commaList.pipe(z.array(hostPort).min(1, 'at least one host:port')).optional(),
  REDIS_SENTINELS: commaList.pipe(z.array(hostPort)).optional(),
  REDIS_SENTINEL_MASTER: z.string().min(1).default('mymaster'),
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Sentinels with `requirepass`: without it anyone who reaches them can name a master. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,32}$/)
    .default('gb:'),
  /** Replicas that must hold a write (Redis WAIT) before it is acknowledged; 0 = the master alone. */
  REDIS_ACK_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  REDIS_ACK_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
};

export const webhookEnvShape = {
  WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
};

/** Variables whose values never appear in an error message. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'API_KEYS',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'WEBHOOK_SECRET',
  'TOKEN_ENCRYPTION_KEY',
]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment (empty values count as unset); throws ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const shown = SECRET_VARIABLES.has(name) ? '(hidden)' : JSON.stringify(env[name]);
      return `${name}=${shown}: ${issue.message}`;
    }),
  );
}

/** Problems between variables: a Redis given twice, half a webhook. */
export function pairingProblems(e: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string[] | undefined;
  REDIS_CLUSTER_NODES?: string[] | undefined;
  WEBHOOK_URL?: string | undefined;
  WEBHOOK_SECRET?: string | undefined;
}): string[] {
  const problems: string[] = [];
  const given = [
    e.REDIS_URL ? 'REDIS_URL' : '',
    e.REDIS_SENTINELS?.length ? 'REDIS_SENTINELS' : '',
    e.REDIS_CLUSTER_NODES?.length ? 'REDIS_CLUSTER_NODES' : '',
  ].filter(Boolean);
  if (given.length > 1) problems.push(`${given.join(' and ')}: set one of them, not several`);
  if (Boolean(e.WEBHOOK_URL) !== Boolean(e.WEBHOOK_SECRET))
    problems.push('WEBHOOK_URL and WEBHOOK_SECRET: set both or neither');
  return problems;
}

/**
 * The Redis the environment names, in the form the store's RedisConfig takes: a `redis+cluster://`
 * REDIS_URL becomes cluster nodes (and its password REDIS_PASSWORD unless that is set).
 */
export function redisFromEnv(e: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string[] | undefined;
  REDIS_CLUSTER_NODES?: string[] | undefined;
  REDIS_SENTINEL_MASTER: string;
  REDIS_PASSWORD?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}): {
  redisUrl: string | undefined;
  redisSentinels: string[];
  redisClusterNodes: string[];
  redisSentinelMaster: string;
  redisPassword: string | undefined;
  redisSentinelPassword: string | undefined;
} {
  const cluster = e.REDIS_URL ? parseClusterUrl(e.REDIS_URL) : undefined;
  return {
    redisUrl: cluster ? undefined : e.REDIS_URL,
    redisSentinels: e.REDIS_SENTINELS ?? [],
    redisClusterNodes: cluster?.nodes ?? e.REDIS_CLUSTER_NODES ?? [],
    redisSentinelMaster: e.REDIS_SENTINEL_MASTER,
    redisPassword: e.REDIS_PASSWORD ?? cluster?.password,
    redisSentinelPassword: e.REDIS_SENTINEL_PASSWORD,
  };
}
