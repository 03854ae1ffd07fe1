import { randomBytes } from 'node:crypto';
import { Child, collectGarbage, freePort, heapSnapshot, procSample, waitFor } from './processes.js';

/** What is read from a server at one moment. */
export interface ServerSample {
  at: number;
  cpuSeconds: number | null;
  rssBytes: number | null;
  heapUsedBytes: number | null;
  /** p99 of event-loop delay since the previous sample. */
  lagP99Seconds: number | null;
  connections: number | null;
}

export interface ServerTarget {
  id: string;
  url: string;
  pid: number;
  sample(): Promise<ServerSample>;
  /** A full GC before memory is read, when the process was started with the inspector. */
  gc?: () => Promise<boolean>;
  /** Writes a heap snapshot (inspector), for finding what a connection costs. */
  heapSnapshot?: (file: string) => Promise<boolean>;
}

/** Sums a Prometheus text exposition by metric name (labels ignored). */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    values.set(match[1]!, (values.get(match[1]!) ?? 0) + value);
  }
  return values;
}

/**
 * The game server's event-loop histogram (prom-client, `eventLoopMonitoringPrecision: 20`) times a
 * 20 ms timer, so its percentiles include those 20 ms: lag is the value minus the resolution.
 */
export const LAG_RESOLUTION_SECONDS = 0.02;
const lagOf = (p99: number | undefined | null) =>
  p99 === undefined || p99 === null ? null : Math.max(0, p99 - LAG_RESOLUTION_SECONDS);

/** A game server: CPU and RSS from /proc, heap, event-loop lag and sockets from its /metrics. */
export function gameServerTarget(id: string, url: string, pid: number): ServerTarget {
  return {
    id,
    url,
    pid,
    async sample() {
      const proc = procSample(pid);
      let metrics: Map<string, number> | undefined;
      try {
        const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
        metrics = parsePrometheus(await response.text());
      } catch {
        metrics = undefined;
      }
      return {
        at: Date.now(),
        cpuSeconds: proc?.cpuSeconds ?? metrics?.get('process_cpu_seconds_total') ?? null,
        rssBytes: proc?.rssBytes ?? metrics?.get('process_resident_memory_bytes') ?? null,
        heapUsedBytes: metrics?.get('nodejs_heap_size_used_bytes') ?? null,
        lagP99Seconds: lagOf(metrics?.get('nodejs_eventloop_lag_p99_seconds')),
        connections: metrics?.get('gamebuddies_connected_sockets') ?? null,
      };
    },
  };
}

/** The benchmark's plain relays: CPU and RSS from /proc, the rest from their `GET /stats`. */
export function plainServerTarget(id: string, url: string, pid: number): ServerTarget {
  return {
    id,
    url,
    pid,
    async sample() {
      const proc = procSample(pid);
      const stats = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.json() as Promise<Partial<Record<string, number>>>)
        .catch(() => ({}) as Partial<Record<string, number>>);
      return {
        at: Date.now(),
        cpuSeconds: proc?.cpuSeconds ?? stats.cpuSeconds ?? null,
        rssBytes: proc?.rssBytes ?? stats.rssBytes ?? null,
        heapUsedBytes: stats.heapUsedBytes ?? null,
        lagP99Seconds: lagOf(stats.lagP99Seconds),
        connections: stats.connections ?? null,
      };
    },
  };
}

/** Any other process: /proc only. */
export function processTarget(id: string, pid: number): ServerTarget {
  return {
    id,
    url: '',
    pid,
    async sample() {
      const proc = procSample(pid);
      return {
        at: Date.now(),
        cpuSeconds: proc?.cpuSeconds ?? null,
        rssBytes: proc?.rssBytes ?? null,
        heapUsedBytes: null,
        lagP99Seconds: null,
        connections: null,
      };
    },
  };
}

export interface GameServerSetup {
  servers: number;
  redisUrl?: string | undefined;
  /** Actions per player per second the run will send: the per-socket rate limit is set above it. */
  rate: number;
  /** Extra environment for the game servers. */
  env?: Record<string, string>;
  /** Extra node flags (for example --cpu-prof) for the single game server. */
  nodeArgs?: string[];
}

export interface RunningGameServers {
  /** Where rooms are created (the Rooms API) and join links point. */
  apiUrl: string;
  apiKey: string;
  /** The game-server processes (fleet members, or the one server). */
  servers: ServerTarget[];
  /** The fleet's front process (Rooms API and /r/ lookups), when there is a fleet. */
  front?: ServerTarget;
  stop(): Promise<void>;
}

/**
 * `--servers 1`: one `node gameserver/dist/main.js`; `--servers N`: the local fleet
 * (`main.js --servers N`), whose members are found through `GET /fleet`.
 */
export async function startGameServers(setup: GameServerSetup): Promise<RunningGameServers> {
  const apiKey = `load-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: apiKey,
    LOG_LEVEL: 'warn',
    MAX_ROOMS: '100000',
    OPEN_ROOM_CREATION: 'false',
    // Seals idempotent create answers in Redis (required with API_KEYS and Redis).
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // Every simulated player comes from 127.0.0.1: per-address limits must not see one abuser.
    JOIN_FAILURES_PER_MINUTE: '10000',
    // The per-socket budget sits well above the configured rate so the server never refuses load.
    ACTION_RATE_PER_SEC: String(Math.min(1000, Math.max(10, Math.ceil(setup.rate * 4)))),
    ACTION_BURST: String(Math.min(10_000, Math.max(20, Math.ceil(setup.rate * 8)))),
    // The game servers stop by themselves within a second if this process dies, even by SIGKILL.
    GAMEBUDDIES_FLEET_PARENT: String(process.pid),
    ...(setup.redisUrl ? { REDIS_URL: setup.redisUrl } : {}),
    ...setup.env,
  };
  const url = `http://127.0.0.1:${port}`;
  if (setup.servers === 1) {
    const proc = Child.spawn(
      'game server',
      process.execPath,
      [...(setup.nodeArgs ?? []), 'gameserver/dist/main.js'],
      {
        env: { ...env, SERVER_ID: 'load-1' },
      },
    );
    await waitFor('the game server', async () => (await fetch(`${url}/readyz`)).ok, proc);
    const target = gameServerTarget('load-1', url, proc.pid);
    if (setup.nodeArgs?.some((a) => a.startsWith('--inspect'))) {
      target.gc = () => collectGarbage(proc);
      target.heapSnapshot = (file) => heapSnapshot(proc, file);
    }
    return {
      apiUrl: url,
      apiKey,
      servers: [target],
      stop: () => proc.stop(20_000),
    };
  }
  const proc = Child.spawn(
    'local fleet',
    process.execPath,
    ['gameserver/dist/main.js', '--servers', String(setup.servers)],
    { env: { ...env, SERVER_ID: 'load' } },
  );
  let members: Array<{ id: string; url: string; pid: number | null; state: string }> = [];
  await waitFor(
    'the local fleet',
    async () => {
      const response = await fetch(`${url}/fleet`, { headers: { authorization: `Bearer ${apiKey}` } });
      if (!response.ok) return false;
      members = ((await response.json()) as { members: typeof members }).members;
      return members.length === setup.servers && members.every((m) => m.state === 'running' && m.pid);
    },
    proc,
    60_000,
  );
  return {
    apiUrl: url,
    apiKey,
    servers: members.map((m) => gameServerTarget(m.id, m.url.replace('localhost', '127.0.0.1'), m.pid!)),
    front: processTarget('fleet front', proc.pid),
    stop: () => proc.stop(40_000),
  };
}
