import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep, waitUntil } from '../helpers/wait.js';

// Room ownership when something is slow instead of dead: Redis frozen (SIGSTOP) for twice the room
// lease, or one game server frozen for twice the lease. Real redis-server, real game-server
// processes, real Socket.IO clients. A lapse must not cost a live player their seat.

const LEASE_MS = 1500;
const GRACE_MS = 2000;

let redis: RedisServer;
const servers: ServerProcess[] = [];
const players: TestPlayer[] = [];

async function startServers(count: number): Promise<ServerProcess[]> {
  const prefix = `of${randomBytes(4).toString('hex')}:`;
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ServerProcess.start(`s${servers.length + i + 1}`, {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        ROOM_LEASE_MS: String(LEASE_MS),
        RECONNECT_GRACE_MS: String(GRACE_MS),
        ACTION_RATE_PER_SEC: '1000',
        ACTION_BURST: '1000',
      }),
    ),
  );
  servers.push(...started);
  return started;
}

async function join(server: ServerProcess, auth: { roomCode: string; name?: string; token?: string }) {
  const player = await TestPlayer.join(server.url, auth);
  players.push(player);
  return player;
}

/** Versions a player learned, in the order it learned them. */
function versionsSeen(player: TestPlayer): number[] {
  return player.received
    .map(({ event, payload }) => (event === 'room:joined' ? payload.room.version : payload?.version))
    .filter((v): v is number => typeof v === 'number');
}

/** A host on s1 and a guest on s2 in one room. */
async function roomAcrossTwoServers() {
  const [s1, s2] = await startServers(2);
  const room = await s1!.createRoom({ gameType: 'rps', settings: { rounds: 3 } });
  const host = await join(s1!, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
  const guest = await join(s2!, { roomCode: room.roomCode, name: 'Guest' });
  await host.seen('player:joined', (e) => e.name === 'Guest');
  return { s1: s1!, s2: s2!, host, guest };
}

/** After the fault and a whole reconnect window: both still seated, connected, and heard. */
async function expectNobodyDropped(host: TestPlayer, guest: TestPlayer) {
  await sleep(GRACE_MS + 2 * LEASE_MS);
  for (const p of [host, guest]) {
    expect(p.received.filter((e) => e.event === 'player:left')).toEqual([]);
  }
  const heard = guest.next('chat:message', (m) => m.message.text === 'still here');
  expect(await host.emit('room:chat', { text: 'still here' })).toMatchObject({ ok: true });
  await heard;
  const state = await waitUntil(
    () => {
      const s = guest.latest;
      return s && s.players.length === 2 && s.players.every((p) => p.connected) ? s : null;
    },
    5000,
    'both players connected',
  );
  expect(state.players.map((p) => p.name).sort()).toEqual(['Guest', 'Host']);
  // One history: versions only go forward for every player (no rewind to a forked copy), and
  // both end on the same one.
  for (const p of [host, guest]) {
    const versions = versionsSeen(p);
    for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThanOrEqual(versions[i - 1]!);
  }
  await waitUntil(() => host.latest?.version === guest.latest?.version, 5000, 'the same latest version');
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  redis.resume();
  for (const p of players.splice(0)) p.close();
  for (const s of servers) s.proc.kill('SIGCONT');
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await redis.stop();
});

describe('room ownership under stalls', () => {
  it('Redis frozen for twice the lease: no live player is dropped', async () => {
    const { host, guest } = await roomAcrossTwoServers();
    redis.pause();
    await sleep(2 * LEASE_MS);
    redis.resume();
    await expectNobodyDropped(host, guest);
  }, 60_000);

  it('a game server frozen for twice the lease: its players keep their seats once it resumes', async () => {
    const { s1, host, guest } = await roomAcrossTwoServers();
    s1.proc.kill('SIGSTOP');
    await sleep(2 * LEASE_MS);
    s1.proc.kill('SIGCONT');
    await expectNobodyDropped(host, guest);
  }, 60_000);
});
