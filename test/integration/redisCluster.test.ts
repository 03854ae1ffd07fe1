import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RedisCluster } from '../helpers/redisCluster.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { killedServerKeepsAcknowledgedActions } from '../helpers/killedServerScenario.js';
import { waitUntil } from '../helpers/wait.js';

// Several real game-server processes on a real Redis Cluster (three masters, one replica each, on
// loopback), with real socket.io clients: the store on ioredis' Cluster client, broadcasts through
// the sharded Socket.IO adapter (SPUBLISH/SSUBSCRIBE on the shard of each room's channel).

let cluster: RedisCluster;
const servers: ServerProcess[] = [];
const players: TestPlayer[] = [];
let prefix = '';

async function startServers(count: number, env: Record<string, string> = {}): Promise<ServerProcess[]> {
  prefix = `t${randomBytes(4).toString('hex')}:`;
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ServerProcess.start(`c${servers.length + i + 1}`, {
        // One server is given the redis+cluster:// URL, the others REDIS_CLUSTER_NODES: both work.
        ...(i === 0 ? { REDIS_URL: cluster.url } : { REDIS_CLUSTER_NODES: cluster.seeds }),
        ACTION_RATE_PER_SEC: '1000',
        ACTION_BURST: '1000',
        ROOM_LEASE_MS: '1500',
        REDIS_KEY_PREFIX: prefix,
        MAX_ROOMS: '1000',
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

/** The port of the master holding a room's record. */
async function masterOfRoom(code: string): Promise<number> {
  const raw = cluster.client();
  try {
    const slot = Number(await raw.call('CLUSTER', 'KEYSLOT', `${prefix}room:{${code}}`));
    return (await cluster.masterOf(slot)).port;
  } finally {
    raw.disconnect();
  }
}

beforeAll(async () => {
  cluster = await RedisCluster.start();
}, 60_000);
afterEach(async () => {
  for (const p of players.splice(0)) p.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await cluster?.stop();
});

describe('rooms on a Redis Cluster shared by several servers', () => {
  it('spreads rooms over all three masters, and any server answers for any room', async () => {
    const trio = await startServers(3);
    const created = await Promise.all(trio.flatMap((s) => Array.from({ length: 15 }, () => s.createRoom())));
    const codes = created.map((r) => r.roomCode);
    expect(new Set(codes).size).toBe(codes.length);
    const masters = new Set(await Promise.all(codes.map((code) => masterOfRoom(code))));
    expect(masters.size).toBe(3);
    for (const r of created.slice(0, 10))
      expect((await trio[2]!.api(`/v1/rooms/${r.roomCode}`)).status).toBe(200);
    for (const s of trio) expect((await s.api('/v1/servers/rps')).body.servers[0].currentRooms).toBe(15);
  });

  it('broadcasts across servers through the shard of the room, and loses no racing update', async () => {
    const [s1, s2] = await startServers(2);
    const room = await s1!.createRoom();
    const onS1 = [await join(s1!, { roomCode: room.roomCode, name: 'A', token: room.hostToken })];
    onS1.push(await join(s1!, { roomCode: room.roomCode, name: 'B' }));
    const onS2 = [
      await join(s2!, { roomCode: room.roomCode, name: 'C' }),
      await join(s2!, { roomCode: room.roomCode, name: 'D' }),
    ];
    const everyone = [...onS1, ...onS2];
    const heard = onS1[0]!.next('chat:message', (m) => m.message.text === 'hi from s2');
    const first = await onS2[0]!.emit('room:chat', { text: 'hi from s2' });
    expect(first).toMatchObject({ ok: true });
    await heard;
    const before = (first as { version: number }).version;

    // 4 players on two servers, 30 messages each, all at once: compare-and-set on one slot.
    const perPlayer = 30;
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
        () => p.received.filter((e) => e.event === 'chat:message').length === everyone.length * perPlayer + 1,
        10_000,
        'every message on every server',
      );
    }
    // The broadcasts went by sharded Pub/Sub: the servers subscribed to shard channels.
    const channels = await Promise.all(
      (await cluster.masters()).map(
        async (m) => (await cluster.on(m.port, 'PUBSUB', 'SHARDCHANNELS')) as string[],
      ),
    );
    expect(channels.flat().some((c) => c.startsWith(`${prefix}sio`))).toBe(true);
  });

  it('keeps every acknowledged action when a game server is killed, and its timers resume elsewhere', async () => {
    const [s1, s2] = await startServers(2);
    await killedServerKeepsAcknowledgedActions(s1!, s2!, join);
  });
});
