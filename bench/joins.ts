/**
 * Joins alone, split into their parts (see docs/performance.md), ours against the plain Socket.IO
 * relay in one run, from this one process (no worker processes: at a few hundred joins per second
 * one process keeps up, and the split needs both timestamps on one clock):
 *
 *   npm run bench:joins -- [--players 600] [--rate 200] [--room-size 10] [--cpu-prof DIR]
 *
 * Ours: `GET /r/:code` (the lookup the client library makes), then the Socket.IO connect with the
 * join in its handshake until `room:joined`. The relay: the connect until its `room:joined`.
 */
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { fmtMs, table } from '../loadtest/dist/format.js';
import { freePort, killAll, procSample, waitFor, Child } from '../loadtest/dist/processes.js';
import { createRooms } from '../loadtest/dist/rooms.js';
import { startGameServers } from '../loadtest/dist/servers.js';

const Options = z.object({
  players: z.coerce.number().int().min(10).max(5000).default(600),
  rate: z.coerce.number().min(1).max(2000).default(200),
  'room-size': z.coerce.number().int().min(2).max(20).default(10),
  /** Writes a CPU profile of our server (its busy time divided by the joins is the CPU per join). */
  'cpu-prof': z.string().optional(),
});
const { values } = parseArgs({
  options: Object.fromEntries(Object.keys(Options.shape).map((k) => [k, { type: 'string' as const }])),
  strict: true,
});
const o = Options.parse(values);
const GAME = 'rps';

interface Timing {
  lookup: number[];
  connect: number[];
  total: number[];
  failures: number;
  /** The server process's CPU time over the joins, divided by the joins (ms). */
  cpuPerJoin: number;
}

/** Starts one join every 1/rate seconds; `join` resolves with [lookup ms, connect ms] or throws. */
async function paced(join: (i: number) => Promise<[number, number]>): Promise<Timing> {
  const t: Timing = { lookup: [], connect: [], total: [], failures: 0, cpuPerJoin: NaN };
  await Promise.all(
    Array.from(
      { length: o.players },
      (_, i) =>
        new Promise<void>((resolve) =>
          setTimeout(
            () => {
              join(i).then(
                ([lookup, connect]) => {
                  t.lookup.push(lookup);
                  t.connect.push(connect);
                  t.total.push(lookup + connect);
                  resolve();
                },
                () => {
                  t.failures++;
                  resolve();
                },
              );
            },
            (i * 1000) / o.rate,
          ),
        ),
    ),
  );
  return t;
}

function connect(url: string, auth: Record<string, string>, sockets: Socket[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      auth,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
    });
    sockets.push(socket);
    socket.once('room:joined', () => resolve(performance.now() - started));
    socket.once('connect_error', reject);
  });
}

/** Adds the server's CPU time per join: on shared cores it moves less than the latencies do. */
async function withCpu(pid: number, run: Promise<Timing>): Promise<Timing> {
  const before = procSample(pid)?.cpuSeconds ?? NaN;
  const t = await run;
  const after = procSample(pid)?.cpuSeconds ?? NaN;
  t.cpuPerJoin = ((after - before) * 1000) / o.players;
  return t;
}

async function ours(): Promise<Timing> {
  const game = await startGameServers({
    servers: 1,
    rate: 0,
    nodeArgs: o['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${o['cpu-prof']}`] : [],
  });
  const sockets: Socket[] = [];
  try {
    const { rooms } = await createRooms(game.apiUrl, game.apiKey, Math.ceil(o.players / o['room-size']), {
      gameType: GAME,
      maxPlayers: o['room-size'],
    });
    return await withCpu(
      game.servers[0]!.pid,
      paced(async (i) => {
        const room = rooms[Math.floor(i / o['room-size'])]!;
        const started = performance.now();
        const response = await fetch(`${room.url}/r/${room.roomCode}`, {
          headers: { accept: 'application/json' },
        });
        const location = (await response.json()) as { url: string; namespace: string };
        const lookup = performance.now() - started;
        const auth: Record<string, string> =
          i % o['room-size'] === 0 ? { token: room.hostToken } : { name: `p${i}` };
        return [
          lookup,
          await connect(
            `${location.url}${location.namespace}`,
            { roomCode: room.roomCode, ...auth },
            sockets,
          ),
        ];
      }),
    );
  } finally {
    for (const s of sockets) s.disconnect();
    await game.stop();
  }
}

async function relay(): Promise<Timing> {
  const port = await freePort();
  const proc = Child.spawn('socketio', process.execPath, ['--import', 'tsx', 'bench/plainSocketIo.ts'], {
    env: { ...process.env, PORT: String(port), GAME },
  });
  const url = `http://127.0.0.1:${port}`;
  const sockets: Socket[] = [];
  try {
    await waitFor('the plain socketio server', async () => (await fetch(`${url}/stats`)).ok, proc);
    return await withCpu(
      proc.pid,
      paced(async (i) => [
        0,
        await connect(
          `${url}/${GAME}`,
          { roomCode: `R${Math.floor(i / o['room-size'])}`, name: `p${i}` },
          sockets,
        ),
      ]),
    );
  } finally {
    for (const s of sockets) s.disconnect();
    await proc.stop(5000);
  }
}

const q = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
console.log(
  `Joins: ${o.players} players in rooms of ${o['room-size']}, ${o.rate} joins/s, one client process`,
);
try {
  const a = await ours();
  const b = await relay();
  console.log(
    table([
      ['', 'game server', 'plain Socket.IO', 'ours / Socket.IO'],
      ['lookup p50 / p99', `${fmtMs(q(a.lookup, 0.5))} / ${fmtMs(q(a.lookup, 0.99))}`, '—', ''],
      [
        'connect + join p50 / p99',
        `${fmtMs(q(a.connect, 0.5))} / ${fmtMs(q(a.connect, 0.99))}`,
        `${fmtMs(q(b.connect, 0.5))} / ${fmtMs(q(b.connect, 0.99))}`,
        `${(q(a.connect, 0.5) / q(b.connect, 0.5)).toFixed(2)}× / ${(q(a.connect, 0.99) / q(b.connect, 0.99)).toFixed(2)}×`,
      ],
      [
        'join p50 / p99',
        `${fmtMs(q(a.total, 0.5))} / ${fmtMs(q(a.total, 0.99))}`,
        `${fmtMs(q(b.total, 0.5))} / ${fmtMs(q(b.total, 0.99))}`,
        `${(q(a.total, 0.5) / q(b.total, 0.5)).toFixed(2)}× / ${(q(a.total, 0.99) / q(b.total, 0.99)).toFixed(2)}×`,
      ],
      [
        'server CPU per join',
        fmtMs(a.cpuPerJoin),
        fmtMs(b.cpuPerJoin),
        `${(a.cpuPerJoin / b.cpuPerJoin).toFixed(2)}×`,
      ],
      ['failures', String(a.failures), String(b.failures), ''],
    ]),
  );
} finally {
  killAll();
}
process.exit(0);
