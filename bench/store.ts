/**
 * Room-store throughput on one Redis or a Redis Cluster, per shard, for the capacity model.
 *
 *   npm run bench:store -- [--redis standalone|cluster] [--rooms 400] [--workers 32] [--seconds 10]
 *
 * Starts a redis-server (or a 3-master + 3-replica cluster) on loopback, opens the store as a game
 * server does (createRoomStore), creates the rooms, then `workers` loops apply one chat change
 * after another to random rooms (load, compare-and-set script, as a player's action does) for
 * `seconds`. Prints actions/s, and per shard the commands it processed per second (INFO stats) and
 * its memory. This process is the only client: on a 2-core machine the client, not Redis, is the
 * limit, so the per-shard numbers are a floor.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createLogger, createRoomStore, type RoomRecord } from '@gamebuddies/rooms';
import { RedisServer } from '../test/helpers/redisServer.js';
import { RedisCluster } from '../test/helpers/redisCluster.js';

const { values: args } = parseArgs({
  options: {
    redis: { type: 'string', default: 'cluster' },
    rooms: { type: 'string', default: '400' },
    workers: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
  },
});
const kind = args.redis === 'standalone' ? 'standalone' : 'cluster';
const roomCount = Number(args.rooms);
const workers = Number(args.workers);
const seconds = Number(args.seconds);

const CODE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function code(): string {
  return Array.from({ length: 6 }, () => CODE_LETTERS[Math.floor(Math.random() * 32)]).join('');
}

function room(c: string): RoomRecord {
  const now = Date.now();
  return {
    code: c,
    gameType: 'rps',
    version: 1,
    createdAt: now,
    updatedAt: now,
    serverId: 'bench',
    url: 'http://bench',
    hostTokenHash: 'ab'.repeat(32),
    hostClaimedBy: null,
    hostId: null,
    hostName: null,
    maxPlayers: 8,
    settings: {},
    phase: 'lobby',
    players: [],
    game: {},
    timers: [],
    results: null,
  } as unknown as RoomRecord;
}

interface ShardStats {
  commands: number;
  memory: number;
  /** CPU seconds the server has used (user + sys). */
  cpu: number;
  keys: number;
}

async function shardStats(ports: number[]): Promise<Map<number, ShardStats>> {
  const stats = new Map<number, ShardStats>();
  for (const port of ports) {
    const c = new Redis(port, '127.0.0.1');
    const info = await c.info();
    c.disconnect();
    stats.set(port, {
      commands: Number(/total_commands_processed:(\d+)/.exec(info)![1]),
      memory: Number(/used_memory:(\d+)/.exec(info)![1]),
      cpu: Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]),
      keys: Number(/db0:keys=(\d+)/.exec(info)?.[1] ?? 0),
    });
  }
  return stats;
}

async function main(): Promise<void> {
  const standalone = kind === 'standalone' ? await RedisServer.start() : undefined;
  const cluster = kind === 'cluster' ? await RedisCluster.start() : undefined;
  const ports = standalone ? [standalone.port] : (await cluster!.masters()).map((m) => m.port);
  const store = await createRoomStore(
    {
      redisUrl: standalone?.url,
      redisSentinels: [],
      redisSentinelMaster: 'x',
      redisPassword: undefined,
      redisClusterNodes: cluster ? cluster.seeds.split(',') : [],
      redisKeyPrefix: 'bench:',
      roomTtlSeconds: 3600,
      serverId: 'bench',
    },
    createLogger('silent'),
  );
  try {
    const empty = await shardStats(ports);
    const codes: string[] = [];
    while (codes.length < roomCount) {
      const c = code();
      if ((await store.createRoom(room(c))) === 'created') codes.push(c);
    }
    const before = await shardStats(ports);
    let actions = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() < deadline) {
          const c = codes[Math.floor(Math.random() * codes.length)]!;
          // A chat line, as the game server sends it: the store appends it beside the room.
          await store.applyChange(
            c,
            (_draft, newChat) => {
              newChat.push({ id: String(actions), playerId: 'p', name: 'P', text: 'hello there', at: 1 });
            },
            { chat: 'added' },
          );
          actions++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const after = await shardStats(ports);
    console.log(
      `store bench (${kind}, ${codes.length} rooms, ${workers} workers, ${elapsed.toFixed(1)} s): ${(actions / elapsed).toFixed(0)} actions/s (load + compare-and-set each)`,
    );
    for (const port of ports) {
      const [e, b, a] = [empty.get(port)!, before.get(port)!, after.get(port)!];
      const cpuPerCommandUs = ((a.cpu - b.cpu) / (a.commands - b.commands)) * 1e6;
      console.log(
        `  shard :${port}  ${((a.commands - b.commands) / elapsed).toFixed(0)} commands/s, Redis CPU ${(((a.cpu - b.cpu) / elapsed) * 100).toFixed(0)} % of a core, ${cpuPerCommandUs.toFixed(1)} µs CPU/command, used_memory ${(a.memory / 1024 / 1024).toFixed(1)} MiB (${((a.memory - e.memory) / 1024).toFixed(0)} KiB more than empty, ${a.keys} keys)`,
      );
    }
    const grown = ports.reduce((sum, p) => sum + after.get(p)!.memory - empty.get(p)!.memory, 0);
    console.log(
      `  memory per room (100 chat messages, no players; indexes included): ${(grown / codes.length / 1024).toFixed(1)} KiB`,
    );
    const totalCpu = ports.reduce((sum, p) => sum + after.get(p)!.cpu - before.get(p)!.cpu, 0);
    console.log(
      `  Redis CPU per action (all shards): ${((totalCpu / actions) * 1e6).toFixed(0)} µs -> one shard's core would carry ~${(actions / totalCpu).toFixed(0)} actions/s`,
    );
  } finally {
    await store.close();
    await standalone?.stop();
    await cluster?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
