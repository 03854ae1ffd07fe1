import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { builtinGames } from '@gamebuddies/games';
import { GameRegistry, RoomService, createLogger } from '@gamebuddies/rooms';
import { LocalAgonesSdk } from '../helpers/localAgonesSdk.js';
import { freePort } from '../helpers/ports.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { waitUntil } from '../helpers/wait.js';

// A room that expires by TTL (no change for ROOM_TTL_SECONDS) releases everything it held, in one
// place: its players are told, its lease and Redis index entries go, its code leaves the
// GameServer's rooms List and the server becomes Ready again. The SDK sidecar is Agones' own
// sdk-server in local mode; Redis, the process and the player are real.

const TTL_SECONDS = 10; // the smallest ROOM_TTL_SECONDS allowed

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
  // Builds (or finds cached) Agones' sdk-server once, before the test's own timeout runs.
  await LocalAgonesSdk.start({ port: await freePort() }).then((sdk) => sdk.stop());
}, 40 * 60_000);
afterAll(async () => {
  await redis.stop();
});

describe('room expiry', () => {
  it('an idle room that expires gives back its lease, indexes and List slot', async () => {
    const port = await freePort();
    const sdk = await LocalAgonesSdk.start({ port });
    const sdkPort = sdk.grpcPort;
    const prefix = `ex${randomBytes(3).toString('hex')}:`;
    const server = await ServerProcess.start(`gs-${port}`, {
      PORT: String(port),
      AGONES_SDK_GRPC_PORT: String(sdkPort),
      AGONES_HEALTH_INTERVAL_MS: '200',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      MAX_ROOMS: '5',
      ROOM_LEASE_MS: '1500',
      ROOM_TTL_SECONDS: String(TTL_SECONDS),
    });
    const store = await redisRoomStore(redis.url, prefix, 'operator');
    const client = redis.client();
    try {
      await waitUntil(async () => (await sdk.state()) === 'Ready', 5000, 'the GameServer to be Ready');
      const operator = new RoomService(
        store,
        new GameRegistry(builtinGames()),
        {
          serverId: 'operator',
          publicUrl: 'http://elsewhere.invalid',
          maxRooms: 100,
          reconnectGraceMs: 60_000,
        },
        createLogger('silent'),
      );
      const { room, hostToken } = await operator.createRoom({ gameType: 'rps', hostName: 'Ana' });
      await sdk.allocateRoom(room.code);
      const host = await TestPlayer.join(server.url, { roomCode: room.code, token: hostToken });
      const closed = host.next('room:closed', () => true, (TTL_SECONDS + 10) * 1000);
      expect(await client.exists(`${prefix}lease:${room.code}`)).toBe(1);

      // Nobody does anything: after the TTL the room is gone, and so is everything it held.
      expect(await closed).toMatchObject({ reason: 'expired' });
      await waitUntil(async () => (await sdk.rooms()).length === 0, 5000, 'the List slot to be freed');
      await waitUntil(async () => (await sdk.state()) === 'Ready', 5000, 'Ready again');
      expect(await store.loadRoom(room.code)).toBeNull();
      expect(await client.exists(`${prefix}lease:${room.code}`, `${prefix}lease:${room.code}:epoch`)).toBe(0);
      expect(await client.zscore(`${prefix}rooms`, room.code)).toBeNull();
      expect(await client.zscore(`${prefix}server-rooms:gs-${port}`, room.code)).toBeNull();
      host.close();
    } finally {
      client.disconnect();
      await server.stop().catch(() => undefined);
      await sdk.stop();
      await store.close();
    }
  }, 60_000);
});
