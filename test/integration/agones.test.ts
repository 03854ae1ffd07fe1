import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { builtinGames } from '@gamebuddies/games';
import { GameRegistry, RoomService, createLogger, type RoomStore } from '@gamebuddies/rooms';
import { LocalAgonesSdk } from '../helpers/localAgonesSdk.js';
import { freePort } from '../helpers/ports.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { RunningProcess } from '../helpers/processes.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep, waitUntil } from '../helpers/wait.js';

// A game-server process under Agones: the SDK sidecar is Agones' own sdk-server in local mode (built
// from Agones v1.60.0 by `npm run cluster:build`); Redis, the process and the players are real. The
// full Agones (controller, allocation, Fleets) runs in the cluster layer.

// The first run on a machine builds Agones from source (cached afterwards).
const BUILD_TIMEOUT_MS = 40 * 60_000;

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
  // Builds (or finds cached) Agones' sdk-server once, before any test's own timeout runs.
  await LocalAgonesSdk.start({ port: await freePort() }).then((sdk) => sdk.stop());
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await redis.stop();
});

interface Setup {
  sdk: LocalAgonesSdk;
  server: ServerProcess;
  store: RoomStore;
  /** Creates rooms as the operator does: in the store, not yet on any server. */
  operator: RoomService;
  prefix: string;
}
const open: Setup[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.server.stop().catch(() => undefined);
    await s.sdk.stop();
    await s.store.close();
  }
});

async function setup(env: Record<string, string> = {}, labels: Record<string, string> = {}): Promise<Setup> {
  const port = await freePort();
  const sdk = await LocalAgonesSdk.start({ port, labels: { 'gamebuddies.io/accepting': 'true', ...labels } });
  const sdkPort = sdk.grpcPort;
  const prefix = `ag${randomBytes(3).toString('hex')}:`;
  const server = await ServerProcess.start(`gs-${port}`, {
    PORT: String(port),
    AGONES_SDK_GRPC_PORT: String(sdkPort),
    AGONES_HEALTH_INTERVAL_MS: '200',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    MAX_ROOMS: '5',
    ROOM_LEASE_MS: '1500',
    RECONNECT_GRACE_MS: '300',
    ...env,
  });
  const log = createLogger('silent');
  const store = await redisRoomStore(redis.url, prefix, 'operator');
  const operator = new RoomService(
    store,
    new GameRegistry(builtinGames()),
    {
      serverId: 'operator',
      publicUrl: 'http://elsewhere.invalid:1234',
      maxRooms: 1000,
      reconnectGraceMs: 60_000,
    },
    log,
  );
  const s = { sdk, server, store, operator, prefix };
  open.push(s);
  // Agones allocates only Ready GameServers: tests start from there (the server calls Ready() just
  // after it listens, so /healthz can answer a moment before).
  await waitUntil(async () => (await sdk.state()) === 'Ready', 5000, 'the GameServer to be Ready');
  return s;
}

describe('the game server under Agones', () => {
  it('connects to the SDK, sets its room capacity, goes Ready and pings health', async () => {
    const { sdk, server } = await setup();
    expect((await sdk.gameServer()).lists.rooms!.capacity).toBe(5);
    // The watch is opened right after Ready; it may reach the sidecar a moment later.
    await waitUntil(() => sdk.requests('Connected to watch GameServer...') > 0, 5000, 'the GameServer watch');
    expect(sdk.requests('Getting GameServer details')).toBeGreaterThan(0);
    expect(sdk.requests('Updating List')).toBeGreaterThan(0);
    expect(sdk.requests('Ready request has been received!')).toBe(1);
    await waitUntil(() => sdk.requests('Health Ping Received!') >= 3, 5000, 'health pings');
    expect((await server.api('/health')).body.status).toBe('healthy');
  });

  it("opens a room when its code appears in the rooms List, at this server's address", async () => {
    const { sdk, server, operator, store } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    await waitUntil(
      async () => (await store.loadRoom(room.code))?.url === server.url,
      5000,
      'the room to move here',
    );
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    expect(host.joined).toMatchObject({ role: 'host' });
    expect(host.latest!.players[0]!.name).toBe('Ana');
    host.close();
  });

  it('refuses rooms assigned elsewhere with ROOM_MOVED and where they are', async () => {
    const { server, operator } = await setup();
    const { room } = await operator.createRoom({ gameType: 'rps' });
    const moved = await TestPlayer.refused(server.url, { roomCode: room.code, name: 'X' });
    expect(moved.message).toBe('ROOM_MOVED');
    expect(moved.data).toMatchObject({ code: 'ROOM_MOVED', url: 'http://elsewhere.invalid:1234' });
    const missing = await TestPlayer.refused(server.url, { roomCode: 'ZZZZZ9', name: 'X' });
    expect(missing.message).toBe('ROOM_NOT_FOUND');
  });

  it('admits a player the moment the room is allocated, racing the watch event', async () => {
    const { sdk, server, operator } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    // The player arrives as soon as the allocation is in the sidecar, racing its watch event.
    await sdk.allocateRoom(room.code);
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    expect(host.joined).toMatchObject({ role: 'host' });
    host.close();
  });

  it('gives the slot back when the last player leaves, and returns to Ready', async () => {
    const { sdk, server, operator, store } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    expect(await sdk.state()).toBe('Allocated');
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    expect(await host.emit('room:leave', {})).toMatchObject({ ok: true });
    await waitUntil(async () => (await sdk.rooms()).length === 0, 5000, 'the slot to be freed');
    expect(await store.loadRoom(room.code)).toBeNull();
    await waitUntil(async () => (await sdk.state()) === 'Ready', 5000, 'Ready again');
    expect(sdk.requests('Ready request has been received!')).toBe(2);
  });

  it('frees the slot of a code that has no room in the store', async () => {
    const { sdk, server } = await setup();
    await sdk.allocateRoom('QQQQQQ');
    await waitUntil(async () => (await sdk.rooms()).length === 0, 5000, 'the bogus code to go');
    // The sidecar may report the same List twice (its file watch fires per write), so the server may
    // ask to remove the code twice; what matters is that the slot stays free and the server healthy.
    expect(sdk.requests('Removing Value from List')).toBeGreaterThanOrEqual(1);
    await sleep(500);
    expect(await sdk.rooms()).toEqual([]);
    expect((await server.api('/health')).body.status).toBe('healthy');
  });

  it('lets go of a room the operator moved away: its players are sent on', async () => {
    const { sdk, server, operator } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    const gone = host.disconnected();
    await sdk.removeRoom(room.code);
    await gone;
    const refused = await TestPlayer.refused(server.url, { roomCode: room.code, token: host.sessionToken });
    expect(refused.message).toBe('ROOM_MOVED');
  });

  it('publishes its connected players to the players Counter, at a bounded rate', async () => {
    const { sdk, server, operator } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    const players = [await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken })];
    for (let i = 0; i < 5; i++)
      players.push(await TestPlayer.join(server.url, { roomCode: room.code, name: `P${i}` }));
    const playerCount = async () => (await sdk.gameServer()).counters.players!.count;
    await waitUntil(async () => (await playerCount()) === 6, 5000, 'six players published');
    const started = sdk.requests('Updating Counter');
    const t0 = Date.now();
    for (const p of players.slice(1)) p.close();
    await waitUntil(async () => (await playerCount()) === 1, 5000, 'one player left');
    // Five changes in a burst, published at most about once a second.
    expect(sdk.requests('Updating Counter') - started).toBeLessThanOrEqual(
      Math.ceil((Date.now() - t0) / 1000) + 1,
    );
    players[0]!.close();
  });

  it('on SIGTERM tells its players to reconnect, hands its leases back, then calls Shutdown', async () => {
    const { sdk, server, operator, store, prefix } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    const told = host.next('server:shutdown');
    await server.stop();
    expect(await told).toEqual({ reconnect: true });
    expect(await sdk.state()).toBe('Shutdown');
    expect(server.proc.output).toContain('Agones: Shutdown');
    const client = redis.client();
    expect(await client.exists(`${prefix}lease:${room.code}`)).toBe(0);
    client.disconnect();
    expect(await store.loadRoom(room.code)).not.toBeNull();
  });

  it('shuts down once its last room ends when drained (label gamebuddies.io/accepting=false)', async () => {
    const { sdk, server, operator } = await setup();
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    // The rollout's allocationOverflow (or `kubectl label`) marks it while the room plays on.
    await sdk.setLabel('gamebuddies.io/accepting', 'false');
    expect(await host.emit('room:chat', { text: 'still playing' })).toMatchObject({ ok: true });
    await host.emit('room:leave', {});
    expect(await server.proc.exited).toBe(0);
    expect(await sdk.state()).toBe('Shutdown');
  });

  it('when drained, leaves within DRAIN_TIMEOUT_MS even with a room still playing, which survives', async () => {
    const { sdk, server, operator, store } = await setup({ DRAIN_TIMEOUT_MS: '800' });
    const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
    await sdk.allocateRoom(room.code);
    const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
    expect(await host.emit('room:chat', { text: 'acknowledged before the drain' })).toMatchObject({
      ok: true,
    });
    const told = host.next('server:shutdown');
    await sdk.setLabel('gamebuddies.io/accepting', 'false');
    // The player is told to reconnect (the operator moves the room), not that the room ended.
    expect(await told).toEqual({ reconnect: true });
    expect(await server.proc.exited).toBe(0);
    expect(await sdk.state()).toBe('Shutdown');
    expect(server.proc.output).toContain('drain timed out');
    const kept = await store.loadRoom(room.code);
    expect(kept).not.toBeNull();
    expect(JSON.stringify(kept)).toContain('acknowledged before the drain');
  });

  it('refuses to start under Agones without Redis', async () => {
    const proc = RunningProcess.node(['gameserver/dist/main.js'], {
      AGONES_ENABLED: 'true',
      PORT: String(await freePort()),
    });
    expect(await proc.exited).toBe(2);
    expect(proc.output).toContain('needs REDIS_URL');
  });
});
