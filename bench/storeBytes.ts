/**
 * What one room change costs on the wire to Redis and back: bytes per compare-and-set for a chat
 * line, for another change, and for a change that changed nothing, in a room of 10 with a full chat
 * history, from Redis' own network counters (`INFO stats`). Also what the room takes in Redis.
 *
 *   npm run bench:store-bytes
 */
import { Redis } from 'ioredis';
import { builtinGames } from '@gamebuddies/games';
import { GameRegistry, RoomService, createLogger, createRoomStore } from '@gamebuddies/rooms';
import { RedisServer } from '../test/helpers/redisServer.js';

const redis = await RedisServer.start();
const raw = new Redis(redis.url);
const log = createLogger('silent');
const prefix = 'bench-bytes:';
const store = await createRoomStore(
  {
    redisUrl: redis.url,
    redisSentinels: [],
    redisSentinelMaster: 'mymaster',
    redisPassword: undefined,
    redisKeyPrefix: prefix,
    roomTtlSeconds: 3600,
    serverId: 's1',
  },
  log,
);
const service = new RoomService(
  store,
  new GameRegistry(builtinGames()),
  { serverId: 's1', publicUrl: 'http://s1', maxRooms: 10, reconnectGraceMs: 60_000 },
  log,
);

async function counters(): Promise<{ in: number; out: number }> {
  const info = await raw.info('stats');
  const read = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? NaN);
  return { in: read('total_net_input_bytes'), out: read('total_net_output_bytes') };
}

async function perChange(label: string, count: number, change: (i: number) => Promise<unknown>) {
  const before = await counters();
  for (let i = 0; i < count; i++) await change(i);
  const after = await counters();
  // INFO's own request and reply are counted once: small against `count` changes.
  const each = (n: number) => `${Math.round(n / count).toLocaleString('en-US')} B`.padStart(9);
  console.log(
    `${label.padEnd(36)} to Redis ${each(after.in - before.in)}   from Redis ${each(after.out - before.out)}`,
  );
}

try {
  const { room, hostToken } = await service.createRoom({ gameType: 'rps', hostName: 'Host' });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const request = { name: `Player ${i}`, token: i === 0 ? hostToken : undefined, connectionId: `c${i}` };
    ids.push((await service.join(room.code, request)).player.id);
  }
  // About the load test's lines: a mark, the send time, some text.
  const line = (i: number) => `${String(i).padStart(6, '0')}:${'x'.repeat(40)}`;
  for (let i = 0; i < 150; i++) await service.chat(room.code, ids[i % 10]!, line(i));

  console.log('Room of 10 players, 100 chat lines kept; bytes per change (200 of each):');
  await perChange('chat line', 200, (i) => service.chat(room.code, ids[i % 10]!, line(1000 + i)));
  await perChange('other change (a setting)', 200, (i) =>
    store.applyChange(room.code, (draft) => {
      draft.settings.bench = i;
    }),
  );
  await perChange('change that changed nothing', 200, () => store.applyChange(room.code, () => undefined));
  for (const key of (await raw.keys(`${prefix}room:${room.code}*`)).sort()) {
    const type = await raw.type(key);
    const size =
      type === 'hash' ? `d = ${await raw.hstrlen(key, 'd')} B` : `${await raw.llen(key)} lines (${type})`;
    console.log(
      `${key.slice(prefix.length).padEnd(24)} ${await raw.memory('USAGE', key)} B in Redis, ${size}`,
    );
  }
} finally {
  raw.disconnect();
  await store.close();
  await redis.stop();
}
