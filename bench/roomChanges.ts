/**
 * What one process's rooms cost it, measured on the rooms service alone (no sockets): the CPU time of
 * a chat line's change, the bytes it allocates (garbage included: what the collector must sweep up)
 * and the heap the rooms and their chat history hold per player, on the memory store (see
 * docs/performance.md).
 *
 *   npm run bench:changes -- [--rooms 100] [--room-size 10] [--lines 100000]
 *
 * Run with --expose-gc (the npm script does): heap figures are taken after full collections.
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { CHAT_HISTORY_LIMIT } from '@gamebuddies/protocol';
import { GameRegistry, MemoryRoomStore, RoomService, createLogger } from '@gamebuddies/rooms';
import { builtinGames } from '@gamebuddies/games';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '100' },
    'room-size': { type: 'string', default: '10' },
    lines: { type: 'string', default: '100000' },
  },
});
const roomCount = Number(args.rooms);
const roomSize = Number(args['room-size']);
const lineCount = Number(args.lines);
if (![roomCount, roomSize, lineCount].every((n) => Number.isInteger(n) && n > 0) || roomSize > 20) {
  console.error('--rooms, --room-size (at most 20) and --lines are positive integers');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run bench:changes does)');
  process.exit(2);
}

function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const store = new MemoryRoomStore(3600);
const service = new RoomService(
  store,
  new GameRegistry(builtinGames()),
  { serverId: 'bench-1', publicUrl: 'http://127.0.0.1:3000', maxRooms: roomCount, reconnectGraceMs: 60_000 },
  createLogger('silent'),
);

const empty = heapUsed();
const rooms: Array<{ code: string; players: string[] }> = [];
for (let r = 0; r < roomCount; r++) {
  const { room } = await service.createRoom({ gameType: 'rps', hostName: 'host', maxPlayers: roomSize });
  const players: string[] = [];
  for (let i = 0; i < roomSize; i++) {
    const joined = await service.join(room.code, {
      name: `p${r * roomSize + i}`,
      connectionId: `c${r}-${i}`,
    });
    players.push(joined.player.id);
  }
  rooms.push({ code: room.code, players });
}
const seated = heapUsed();
// The load test's chat text: a send time, as every benchmark player sends.
const text = () => `lt:${performance.now().toFixed(3)}:`;
for (const { code, players } of rooms)
  for (let i = 0; i < CHAT_HISTORY_LIMIT; i++) await service.chat(code, players[i % roomSize]!, text());
const chatted = heapUsed();

/** The i-th line of the run: rooms and their players in turn. */
const chatLine = (i: number) => {
  const { code, players } = rooms[i % roomCount]!;
  return service.chat(code, players[i % roomSize]!, text());
};

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < lineCount; i++) await chatLine(i);
const wallUs = ((performance.now() - started) * 1000) / lineCount;
const cpu = process.cpuUsage(cpuBefore);
const cpuUs = (cpu.user + cpu.system) / lineCount;

// V8's sampling heap profiler, counting objects the collector has freed too: every 256th byte
// allocated is sampled, so the figure is within a few percent of the exact count (which a run with
// GC held off by a huge young generation gives).
const SAMPLED_LINES = Math.min(lineCount, 20_000);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let i = 0; i < SAMPLED_LINES; i++) await chatLine(i);
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
const allocated = (node: { selfSize: number; children: unknown[] }): number =>
  node.children.reduce<number>((sum, child) => sum + allocated(child as typeof node), node.selfSize);
const bytesPerLine = allocated(profile.head) / SAMPLED_LINES;

const players = roomCount * roomSize;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
console.log(`${roomCount} rooms of ${roomSize} players on the memory store (Node ${process.version})`);
console.log(`heap per player, seated rooms:                 ${kib((seated - empty) / players)}`);
console.log(
  `heap per player, ${CHAT_HISTORY_LIMIT}-line chat history per room: ${kib((chatted - seated) / players)}`,
);
console.log(
  `a chat line's change (RoomService.chat):      ${cpuUs.toFixed(1)} µs CPU, ${wallUs.toFixed(1)} µs wall`,
);
console.log(`bytes a chat line allocates (garbage included): ${Math.round(bytesPerLine)} B`);
