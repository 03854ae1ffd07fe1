import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep } from '../helpers/wait.js';

// WebRTC signals between players connected to different game-server processes that share Redis:
// the relay goes through the Socket.IO adapter, so a signal finds its receiver on any server.

let redis: RedisServer;
let servers: ServerProcess[] = [];
const players: TestPlayer[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  servers = await Promise.all(
    ['s1', 's2'].map((id) => ServerProcess.start(id, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix })),
  );
}, 60_000);

afterAll(async () => {
  for (const p of players.splice(0)) p.close();
  await Promise.all(servers.map((s) => s.stop()));
  await redis.stop();
});

async function join(server: ServerProcess, auth: { roomCode: string; name?: string; token?: string }) {
  const player = await TestPlayer.join(server.url, auth, { gameType: 'ddf' });
  players.push(player);
  return player;
}

describe('rtc:signal across servers', () => {
  it('reaches the receiver on the other server, and no one else', async () => {
    const [s1, s2] = servers as [ServerProcess, ServerProcess];
    const room = await s1.createRoom({ gameType: 'ddf' });
    const master = await join(s1, { roomCode: room.roomCode, name: 'Master', token: room.hostToken });
    const ann = await join(s1, { roomCode: room.roomCode, name: 'Ann' });
    const bob = await join(s2, { roomCode: room.roomCode, name: 'Bob' });
    const other = await s2.createRoom({ gameType: 'ddf' });
    const stranger = await join(s2, { roomCode: other.roomCode, name: 'Stranger', token: other.hostToken });

    const offer = { description: { type: 'offer', sdp: 'v=0\r\n' } };
    const atBob = bob.next('rtc:signal');
    expect(await ann.emit('rtc:signal', { to: bob.id, data: offer })).toMatchObject({ ok: true });
    expect(await atBob).toEqual({ from: ann.id, data: offer });

    const answer = { description: { type: 'answer', sdp: 'v=0\r\n' } };
    const atAnn = ann.next('rtc:signal');
    expect(await bob.emit('rtc:signal', { to: ann.id, data: answer })).toMatchObject({ ok: true });
    expect(await atAnn).toEqual({ from: bob.id, data: answer });

    // Seated in another room on the same server as Bob: not reachable from this room.
    expect(await bob.emit('rtc:signal', { to: stranger.id, data: offer })).toMatchObject({
      ok: false,
      error: { code: 'PLAYER_NOT_FOUND' },
    });
    await sleep(100);
    const signals = (p: TestPlayer) => p.received.filter((e) => e.event === 'rtc:signal').length;
    expect([signals(master), signals(ann), signals(bob), signals(stranger)]).toEqual([0, 1, 1, 0]);
  }, 30_000);
});
