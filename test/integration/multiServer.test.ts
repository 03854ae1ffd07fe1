import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { killedServerKeepsAcknowledgedActions } from '../helpers/killedServerScenario.js';
import { waitUntil } from '../helpers/wait.js';

// Several real game-server processes sharing one real redis-server, with real socket.io clients.

let redis: RedisServer;
const servers: ServerProcess[] = [];
const players: TestPlayer[] = [];

async function startServers(count: number, env: Record<string, string> = {}): Promise<ServerProcess[]> {
  // A key prefix per test: servers of one test share rooms, tests never see each other's.
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ServerProcess.start(`s${servers.length + i + 1}`, {
        REDIS_URL: redis.url,
        ACTION_RATE_PER_SEC: '1000',
        ACTION_BURST: '1000',
        ROOM_LEASE_MS: '1500',
        REDIS_KEY_PREFIX: prefix,
        ...env,
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

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const p of players.splice(0)) p.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await redis.stop();
});

describe('rooms shared by several servers through Redis', () => {
  it('delivers joins, chat and game actions across servers, in order', async () => {
    const [s1, s2] = await startServers(2);
    const room = await s1!.createRoom({ gameType: 'rps', settings: { rounds: 1 } });
    const host = await join(s1!, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const joinedSeen = host.next('player:joined', (e) => e.name === 'Bob');
    const bob = await join(s2!, { roomCode: room.roomCode, name: 'Bob' });
    expect((await joinedSeen).playerId).toBe(bob.id);
    expect(bob.latest!.players.map((p) => p.name)).toEqual(['Host', 'Bob']);

    const heardByHost = host.next('chat:message');
    expect(await bob.emit('room:chat', { text: 'hi from s2' })).toMatchObject({ ok: true });
    expect((await heardByHost).message.text).toBe('hi from s2');

    const playingOnS2 = bob.next('room:state', (s) => s.phase === 'playing');
    await host.emit('game:action', { type: 'start' });
    await playingOnS2;
    await bob.emit('game:action', { type: 'choose', choice: 'rock' });
    const revealOnS1 = host.next('room:state', (s) => (s.game as any).stage === 'reveal');
    await host.emit('game:action', { type: 'choose', choice: 'paper' });
    const reveal = await revealOnS1;
    expect((reveal.game as any).lastRound.choices).toEqual({ [host.id]: 'paper', [bob.id]: 'rock' });
    await bob.seen('room:state', (s) => s.version === reveal.version);

    for (const p of [host, bob]) {
      const seen = versionsSeen(p);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it('loses no update when players on two servers hammer one room', async () => {
    const [s1, s2] = await startServers(2);
    const room = await s1!.createRoom();
    const onS1 = [await join(s1!, { roomCode: room.roomCode, name: 'A', token: room.hostToken })];
    onS1.push(await join(s1!, { roomCode: room.roomCode, name: 'B' }));
    const onS2 = [
      await join(s2!, { roomCode: room.roomCode, name: 'C' }),
      await join(s2!, { roomCode: room.roomCode, name: 'D' }),
    ];
    const everyone = [...onS1, ...onS2];
    const start = (await s1!.api(`/v1/rooms/${room.roomCode}`)).body;
    expect(start.players).toBe(4);
    const before = versionsSeen(onS2[1]!).at(-1)!;

    const perPlayer = 40;
    const acks = await Promise.all(
      everyone.flatMap((p, i) =>
        Array.from({ length: perPlayer }, (_, n) => p.emit('room:chat', { text: `p${i}-m${n}` }, 15_000)),
      ),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const versions = acks.map((a) => (a as { version: number }).version).sort((a, b) => a - b);
    // Every change got its own version: none overwrote another.
    expect(versions).toEqual(Array.from({ length: everyone.length * perPlayer }, (_, i) => before + 1 + i));

    for (const p of everyone) {
      await waitUntil(
        () => p.received.filter((e) => e.event === 'chat:message').length === everyone.length * perPlayer,
      );
    }
    const late = await join(s2!, { roomCode: room.roomCode, token: onS1[1]!.sessionToken });
    expect(late.latest!.chat).toHaveLength(100);
    expect(late.latest!.version).toBe(before + everyone.length * perPlayer + 1);
  });

  it('keeps every acknowledged action when a server is killed, and its timers resume elsewhere', async () => {
    const [s1, s2] = await startServers(2);
    await killedServerKeepsAcknowledgedActions(s1!, s2!, join);
  });

  it('rides out a Redis restart: degraded meanwhile, nothing acknowledged is lost, and it resumes by itself', async () => {
    const [s1, s2] = await startServers(2);
    const room = await s1!.createRoom();
    const host = await join(s1!, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const bob = await join(s2!, { roomCode: room.roomCode, name: 'Bob' });
    const saved = await host.emit('room:chat', { text: 'before the restart' });
    expect(saved.ok).toBe(true);

    await redis.kill();
    await waitUntil(
      async () => (await s1!.api('/health')).body.status === 'degraded',
      5000,
      'degraded health',
    );
    expect((await s1!.api('/readyz')).status).toBe(503);
    const refused = await host.emit('room:chat', { text: 'during the outage' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    const refusedJoin = await TestPlayer.refused(s2!.url, { roomCode: room.roomCode, name: 'Late' });
    expect(refusedJoin.message).toBe('STORE_UNAVAILABLE');

    await redis.launch();
    await waitUntil(
      async () => (await s1!.api('/health')).body.status === 'healthy',
      15_000,
      'healthy again',
    );
    await waitUntil(
      async () => (await s2!.api('/health')).body.status === 'healthy',
      15_000,
      'healthy again',
    );
    const heard = bob.next('chat:message', (m) => m.message.text === 'after the restart', 10_000);
    let ack = await host.emit('room:chat', { text: 'after the restart' });
    expect(ack.ok).toBe(true);
    await heard;
    const state = (await s2!.api(`/v1/rooms/${room.roomCode}`)).body;
    expect(state.players).toBe(2);
    ack = await bob.emit('room:chat', { text: 'and from s2' });
    expect(ack).toMatchObject({ ok: true, version: (saved as { version: number }).version + 2 });
  });

  it('never hands out one code twice when three servers create rooms in parallel', async () => {
    const trio = await startServers(3, { MAX_ROOMS: '1000' });
    const created = await Promise.all(trio.flatMap((s) => Array.from({ length: 60 }, () => s.createRoom())));
    const codes = created.map((r) => r.roomCode);
    expect(new Set(codes).size).toBe(codes.length);
    // Any server can answer for any room, and counts only its own.
    for (const r of created.slice(0, 10))
      expect((await trio[2]!.api(`/v1/rooms/${r.roomCode}`)).status).toBe(200);
    for (const s of trio) expect((await s.api('/v1/servers/rps')).body.servers[0].currentRooms).toBe(60);
  });
});
