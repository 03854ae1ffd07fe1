/**
 * The game server against a plain Socket.IO relay and a plain `ws` relay, on the same load, one
 * after the other in one run (see docs/performance.md):
 *
 *   npm run bench -- [--players 1000] [--room-size 10] [--rate 1] [--duration 20] [--ramp 5]
 *                    [--targets gamebuddies,socketio,ws] [--workers 2] [--json FILE] [--cpu-prof DIR]
 *                    [--redis true]   our server with its rooms in a redis-server (state off its heap)
 *                    [--lookup true]  our players look the room up (`GET /r/:code`) before connecting
 *   npm run bench -- --connections 20000     idle connections: memory per connection, one process each
 *
 * The simulated players are the load test's (loadtest/): the game server's players use
 * @gamebuddies/client; the relays' players use socket.io-client and ws with the same events. Every
 * chat message carries its send time; a delivery's latency is read on the same clock.
 * Cross-server delivery through Redis: `npm run bench:adapters`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fmtBytes, fmtMs, fmtNum, fmtPct, table } from '../loadtest/dist/format.js';
import {
  Child,
  collectGarbage,
  freePort,
  heapSnapshot,
  killAll,
  RedisLauncher,
  waitFor,
} from '../loadtest/dist/processes.js';
import { createRooms } from '../loadtest/dist/rooms.js';
import { runLoad, type LoadResult, type PlannedRoom } from '../loadtest/dist/run.js';
import { plainServerTarget, startGameServers, type ServerTarget } from '../loadtest/dist/servers.js';
import type { TargetKind } from '../loadtest/dist/workerProtocol.js';

const Options = z.object({
  players: z.coerce.number().int().min(2).max(100_000).default(1000),
  'room-size': z.coerce.number().int().min(2).max(20).default(10),
  rate: z.coerce.number().min(0).max(50).default(1),
  duration: z.coerce.number().min(1).max(600).default(20),
  ramp: z.coerce.number().min(0).max(600).optional(),
  workers: z.coerce.number().int().min(1).max(32).optional(),
  targets: z
    .string()
    .default('gamebuddies,socketio,ws')
    .transform((s) => s.split(',').map((t) => t.trim()))
    .pipe(z.array(z.enum(['gamebuddies', 'socketio', 'ws'])).min(1)),
  connections: z.coerce.number().int().min(1).max(100_000).optional(),
  padding: z.coerce.number().int().min(0).max(400).default(0),
  json: z.string().optional(),
  'cpu-prof': z.string().optional(),
  'heap-snapshot': z.string().optional(),
  /** Our server keeps its rooms in a redis-server started for the run (room state leaves its heap). */
  redis: z.enum(['true', 'false']).default('false'),
  /**
   * Our players ask `GET /r/:code` before connecting, as a client that knows only the lookup does.
   * By default they connect to the room's server directly, as a page that arrived through the join
   * link's redirect does (the redirect was its lookup), like a relay's client connects.
   */
  lookup: z.enum(['true', 'false']).default('false'),
});

const { values } = parseArgs({
  options: Object.fromEntries(Object.keys(Options.shape).map((k) => [k, { type: 'string' as const }])),
  strict: true,
});
const parsed = Options.safeParse(values);
if (!parsed.success) {
  console.error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  process.exit(2);
}
const o = parsed.data;
const GAME = 'rps';
const idle = o.connections !== undefined;

/** Open files this process (and so its children) may have: every connection is one. */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

let players = o.connections ?? o.players;
const fdLimit = openFileLimit();
if (players > fdLimit - 200) {
  console.log(
    `note: open-file limit is ${fdLimit} (ulimit -n; the hard limit cannot be raised here), and one server` +
      ` process holds every connection: running ${fdLimit - 200} connections instead of ${players}.`,
  );
  players = fdLimit - 200;
}
const roomSize = o['room-size'];
const rate = idle ? 0 : o.rate;
const duration = idle ? Math.max(10, o.duration === 20 ? 10 : o.duration) : o.duration;
const ramp = o.ramp ?? (idle ? Math.max(10, Math.ceil(players / 400)) : 5);
const workers = o.workers ?? (idle ? Math.max(2, Math.ceil(players / 5000)) : 2);
const roomCount = Math.ceil(players / roomSize);

async function startPlain(
  kind: 'socketio' | 'ws',
): Promise<{ target: ServerTarget; stop: () => Promise<void> }> {
  const port = await freePort();
  const script = kind === 'socketio' ? 'bench/plainSocketIo.ts' : 'bench/plainWs.ts';
  // --inspect: the benchmark runs a full GC through the inspector before reading memory (all servers alike).
  const profile = o['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${o['cpu-prof']}`] : [];
  const args = ['--inspect=127.0.0.1:0', ...profile, '--import', 'tsx', script];
  const proc = Child.spawn(kind, process.execPath, args, {
    env: { ...process.env, PORT: String(port), GAME },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the plain ${kind} server`, async () => (await fetch(`${url}/stats`)).ok, proc);
  const target = plainServerTarget(`plain ${kind}`, url, proc.pid);
  target.gc = () => collectGarbage(proc);
  target.heapSnapshot = (file) => heapSnapshot(proc, file);
  return { target, stop: () => proc.stop(5000) };
}

async function measure(kind: TargetKind): Promise<LoadResult> {
  let servers: ServerTarget[];
  let stop: () => Promise<void>;
  let rooms: PlannedRoom[];
  if (kind === 'gamebuddies') {
    const redis = o.redis === 'true' ? await RedisLauncher.start() : undefined;
    const game = await startGameServers({
      servers: 1,
      rate,
      ...(redis ? { redisUrl: redis.url } : {}),
      nodeArgs: [
        '--inspect=127.0.0.1:0',
        ...(o['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${o['cpu-prof']}`] : []),
      ],
    });
    servers = game.servers;
    stop = async () => {
      await game.stop();
      await redis?.stop();
    };
    const created = await createRooms(game.apiUrl, game.apiKey, roomCount, {
      gameType: GAME,
      maxPlayers: roomSize,
    });
    rooms = created.rooms.map((r) => ({
      code: r.roomCode,
      hostToken: r.hostToken,
      urlFor: () => r.url,
      server: o.lookup === 'true' ? undefined : r.url,
    }));
  } else {
    const plain = await startPlain(kind);
    servers = [plain.target];
    stop = plain.stop;
    rooms = Array.from({ length: roomCount }, () => {
      const code = randomBytes(4).toString('hex').toUpperCase();
      return { code, urlFor: () => plain.target.url };
    });
  }
  try {
    return await runLoad({
      target: kind,
      game: GAME,
      players,
      roomSize,
      rooms,
      rate,
      durationSec: duration,
      rampSec: ramp,
      workers,
      padding: o.padding,
      servers,
      onBaseline: async () => {
        const dir = o['heap-snapshot'];
        if (dir) await servers[0]?.heapSnapshot?.(`${dir}/${kind}-baseline.heapsnapshot`);
      },
      onLoaded: async () => {
        const dir = o['heap-snapshot'];
        if (dir) await servers[0]?.heapSnapshot?.(`${dir}/${kind}.heapsnapshot`);
      },
      onProgress: (line) => process.stdout.write(`\r  ${line}\x1b[K`),
    });
  } finally {
    process.stdout.write('\n');
    await stop();
  }
}

const NAMES: Record<TargetKind, string> = {
  gamebuddies: o.redis === 'true' ? 'game server (Redis)' : 'game server',
  socketio: 'plain Socket.IO',
  ws: 'plain ws',
};
console.log(
  idle
    ? `Idle connections: ${players} players in rooms of ${roomSize}, one server process each, ramp ${ramp} s, hold ${duration} s, ${workers} client processes`
    : `Chat load: ${players} players in rooms of ${roomSize}, ${rate} messages/s each (${fmtNum(players * rate)} actions/s,` +
        ` ${fmtNum(players * rate * roomSize)} deliveries/s expected), ramp ${ramp} s, steady ${duration} s, ${workers} client processes`,
);
console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (shared machine: figures are noisy)`,
);
if (o.targets.includes('gamebuddies'))
  console.log(
    o.lookup === 'true'
      ? 'our players: GET /r/:code, then connect and join'
      : "our players: connect to the room's server and join (as after the join link's redirect; --lookup true adds GET /r/:code)",
  );
const results = new Map<TargetKind, LoadResult>();
try {
  for (const kind of o.targets) {
    console.log(`measuring ${NAMES[kind]}...`);
    results.set(kind, await measure(kind));
  }
} finally {
  killAll();
}

const kinds = [...results.keys()];
const ratio = (f: (r: LoadResult) => number | null) => {
  const ours = results.get('gamebuddies');
  const base = results.get('socketio');
  if (!ours || !base) return '';
  const [a, b] = [f(ours), f(base)];
  return a !== null && b !== null && b !== 0 && Number.isFinite(a) && Number.isFinite(b)
    ? `${(a / b).toFixed(2)}×`
    : 'n/a';
};
type Row = [string, (r: LoadResult) => number | null, (v: number | null) => string];
const rows: Row[] = [
  ['players connected', (r) => r.counts.connectedAtEnd, (v) => fmtNum(v)],
  ['join p50', (r) => r.join.p50, fmtMs],
  ['join p99', (r) => r.join.p99, fmtMs],
  ...(idle
    ? []
    : ([
        ['deliveries/s', (r) => r.throughput.deliveriesPerSec, (v) => fmtNum(v)],
        ['delivery p50', (r) => r.delivery.p50, fmtMs],
        ['delivery p99', (r) => r.delivery.p99, fmtMs],
        ['delivery max', (r) => r.delivery.max, fmtMs],
        ['ack p99', (r) => r.ack.p99, fmtMs],
        [
          'errors (refused, disconnects)',
          (r) =>
            Object.values(r.counts.ackErrors).reduce((a, b) => a + b, 0) +
            r.counts.disconnects +
            r.counts.joinFailures,
          (v) => fmtNum(v),
        ],
        ['server CPU (steady)', (r) => r.totals.cpuPercent, fmtPct],
      ] as Row[])),
  ['heap / connection', (r) => r.totals.heapPerConnectionBytes, fmtBytes],
  ['RSS / connection', (r) => r.totals.rssPerConnectionBytes, fmtBytes],
  ['server heap', (r) => r.servers[0]?.heapUsedBytes ?? null, fmtBytes],
  ['server RSS', (r) => r.servers[0]?.rssBytes ?? null, fmtBytes],
  ['event-loop lag p99 (max)', (r) => r.servers[0]?.eventLoopLagP99MaxMs ?? null, fmtMs],
  ['load generator CPU', (r) => r.generator.cpuPercent, fmtPct],
];
console.log('');
console.log(
  table([
    [
      '',
      ...kinds.map((k) => NAMES[k]),
      ...(results.has('gamebuddies') && results.has('socketio') ? ['ours / Socket.IO'] : []),
    ],
    ...rows.map(([name, f, fmt]) => [name, ...kinds.map((k) => fmt(f(results.get(k)!))), ratio(f)]),
  ]),
);

const ours = results.get('gamebuddies');
const base = results.get('socketio');
if (ours && base) {
  // The targets of issue 18, as ratios against plain Socket.IO measured in this same run (absolute
  // figures on a shared machine are noise; the ratios are what the targets are about).
  const rel = (f: (r: LoadResult) => number | null): number => {
    const [a, b] = [f(ours), f(base)];
    return a !== null && b !== null && b !== 0 ? a / b : NaN;
  };
  type Target = [label: string, ratio: number, limit: number, atLeast?: boolean];
  const targets: Target[] = [
    ['heap per connected player', rel((r) => r.totals.heapPerConnectionBytes), 1.1],
    ['join p99', rel((r) => r.join.p99), 2],
    ...(idle
      ? []
      : ([
          ['deliveries per second', rel((r) => r.throughput.deliveriesPerSec), 0.9, true],
          ['server CPU', rel((r) => r.totals.cpuPercent), 1.2],
          ['delivery p99', rel((r) => r.delivery.p99), 1.2],
        ] as Target[])),
  ];
  console.log('\nTargets (ours / plain Socket.IO, this run):');
  console.log(
    table([
      ['', 'ours / Socket.IO', 'target', ''],
      ...targets.map(([label, ratio, limit, atLeast]) => [
        label,
        Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a',
        `${atLeast ? '≥' : '≤'} ${limit}×`,
        !Number.isFinite(ratio) ? 'n/a' : (atLeast ? ratio >= limit : ratio <= limit) ? 'met' : 'NOT met',
      ]),
    ]),
  );
  if (!idle && base.delivery.p99 > 50)
    console.log(
      `note: plain Socket.IO's delivery p99 is ${fmtMs(base.delivery.p99)}: the machine is saturated, lower the load`,
    );
}
if (o.json) {
  writeFileSync(
    o.json,
    `${JSON.stringify({ options: o, players, idle, results: Object.fromEntries(results) }, null, 2)}\n`,
  );
  console.log(`\nJSON: ${o.json}`);
}
process.exit(0);
