/**
 * What the operator's console costs a server: the time to read its picture (every room and the
 * servers) from Redis, which a process does once per second while consoles are open, and how much
 * a room's own history (the console's "last events" and "servers it has been on") adds to a room.
 *
 *   npm run bench:console -- [--rooms 500] [--players 4]
 */
import { parseArgs } from 'node:util';
import { builtinGames } from '@gamebuddies/games';
import { GameRegistry, RoomService, createLogger, createRoomStore } from '@gamebuddies/rooms';
import { StoreConsoleReader } from '@gamebuddies/rooms-api';
import { RedisServer } from '../test/helpers/redisServer.js';

const { values: args } = parseArgs({
  options: { rooms: { type: 'string', default: '500' }, players: { type: 'string', default: '4' } },
});
const rooms = Number(args.rooms);
const players = Number(args.players);

const redis = await RedisServer.start();
const log = createLogger('silent');
const games = new GameRegistry(builtinGames());
const store = await createRoomStore(
  {
    redisUrl: redis.url,
    redisSentinels: [],
    redisSentinelMaster: 'mymaster',
    redisPassword: undefined,
    redisKeyPrefix: 'bench-console:',
    roomTtlSeconds: 3600,
    serverId: 's1',
  },
  log,
);
const service = new RoomService(
  store,
  games,
  { serverId: 's1', publicUrl: 'http://s1', maxRooms: rooms + 1, reconnectGraceMs: 60_000 },
  log,
);
try {
  let code = '';
  for (let i = 0; i < rooms; i++) {
    const { room } = await service.createRoom({ gameType: 'rps', hostName: 'Host' });
    code = room.code;
    const ids: string[] = [];
    for (let p = 0; p < players; p++)
      ids.push((await service.join(room.code, { name: `P${p}`, connectionId: `c${i}-${p}` })).player.id);
    for (let m = 0; m < 10; m++)
      await service.chat(room.code, ids[m % ids.length]!, `message ${m} of a chat`);
  }
  const reader = new StoreConsoleReader(store, games);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await reader.picture([]);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const room = (await store.loadRoom(code))!;
  const { log: history, moves, ...rest } = room;
  const full = JSON.stringify(room).length;
  const without = JSON.stringify(rest).length;
  console.log(`rooms ${rooms}, players per room ${players}, 10 chat lines each`);
  console.log(
    `console picture (every room + servers, from Redis): median ${times[10]!.toFixed(1)} ms, ` +
      `p95 ${times[18]!.toFixed(1)} ms (once per second per process while consoles are open)`,
  );
  console.log(
    `room JSON: ${full} bytes with its history (${history?.length ?? 0} events, ${moves?.length ?? 0} moves), ` +
      `${without} without (+${(((full - without) / without) * 100).toFixed(0)}%)`,
  );
} finally {
  await store.close();
  await redis.stop();
}
