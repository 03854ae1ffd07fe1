/**
 * Cross-server delivery against same-server delivery, for each Redis adapter, on the same load.
 *
 *   npm run bench:adapters -- [--rooms 20] [--messages 50] [--rate 10] [--adapters sharded,streams]
 *
 * Starts a redis-server and two game-server processes on loopback per adapter. In every room one
 * sender on server 1 chats; one receiver sits on server 1 (same-server) and one on server 2
 * (cross-server). Latency = receive time - send time, on one clock (all clients live here).
 */
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { RedisServer } from '../test/helpers/redisServer.js';
import { ServerProcess } from '../test/helpers/serverProcess.js';
import { ms, summarize, type Summary } from './stats.js';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '20' },
    messages: { type: 'string', default: '50' },
    rate: { type: 'string', default: '10' },
    adapters: { type: 'string', default: 'sharded,streams' },
  },
});
const rooms = Number(args.rooms);
const messages = Number(args.messages);
const rate = Number(args.rate);
const adapters = args.adapters.split(',') as Array<'sharded' | 'streams'>;

const now = () => performance.timeOrigin + performance.now();

function connect(url: string, auth: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/rps`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('room:joined', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function measure(
  adapter: 'sharded' | 'streams',
): Promise<{ same: Summary; cross: Summary; seconds: number }> {
  const redis = await RedisServer.start();
  const env = {
    REDIS_URL: redis.url,
    SOCKET_ADAPTER: adapter,
    ACTION_RATE_PER_SEC: '1000',
    ACTION_BURST: '1000',
    LOG_LEVEL: 'warn',
    MAX_ROOMS: '10000',
  };
  const [s1, s2] = await Promise.all([
    ServerProcess.start('bench-1', env),
    ServerProcess.start('bench-2', env),
  ]);
  const sockets: Socket[] = [];
  const same: number[] = [];
  const cross: number[] = [];
  try {
    const senders: Socket[] = [];
    for (let r = 0; r < rooms; r++) {
      const room = await s1.createRoom();
      const sender = await connect(s1.url, {
        roomCode: room.roomCode,
        name: 'sender',
        token: room.hostToken,
      });
      const local = await connect(s1.url, { roomCode: room.roomCode, name: 'local' });
      const remote = await connect(s2.url, { roomCode: room.roomCode, name: 'remote' });
      local.on('chat:message', ({ message }) => same.push(now() - Number(message.text)));
      remote.on('chat:message', ({ message }) => cross.push(now() - Number(message.text)));
      sockets.push(sender, local, remote);
      senders.push(sender);
    }
    const started = now();
    await Promise.all(
      senders.map(async (sender, i) => {
        await new Promise((r) => setTimeout(r, (i * 1000) / rate / rooms)); // spread the rooms
        for (let m = 0; m < messages; m++) {
          sender.emit('room:chat', { text: String(now()) }, () => undefined);
          await new Promise((r) => setTimeout(r, 1000 / rate));
        }
      }),
    );
    const expected = rooms * messages;
    const deadline = Date.now() + 10_000;
    while ((same.length < expected || cross.length < expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { same: summarize(same), cross: summarize(cross), seconds: (now() - started) / 1000 };
  } finally {
    for (const s of sockets) s.disconnect();
    await Promise.all([s1.stop(), s2.stop()]);
    await redis.stop();
  }
}

console.log(
  `Delivery latency, ${rooms} rooms x ${messages} chat messages at ${rate}/s per room (${rooms * rate} msg/s), 2 servers, 1 Redis`,
);
const rows: string[][] = [
  ['adapter', 'same p50', 'same p99', 'cross p50', 'cross p99', 'added p50', 'added p99', 'delivered'],
];
for (const adapter of adapters) {
  process.stdout.write(`measuring ${adapter}...\n`);
  const { same, cross } = await measure(adapter);
  rows.push([
    adapter,
    ms(same.p50),
    ms(same.p99),
    ms(cross.p50),
    ms(cross.p99),
    ms(cross.p50 - same.p50),
    ms(cross.p99 - same.p99),
    `${same.count}/${cross.count} of ${rooms * messages}`,
  ]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
