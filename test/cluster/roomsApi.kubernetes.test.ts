import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { RoomClient } from '@gamebuddies/client';
import { ADMIN_KEY, CONTRACT_API_KEYS, describeRoomsApiContract } from '../api/roomsApiContract.js';
import { testCluster } from './cluster.js';
import { LABEL, installGameRoomCrd } from './crds.js';
import { createFleet, deleteGameServer, gameServersIn, listGameServers } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// The kubernetes backend of the Rooms API: the operator serves it; rooms become GameRooms placed by
// Agones v1.60.0 on the GameServers of a Fleet, each a real game-server process beside Agones' sidecar,
// sharing one Redis.

const cluster = testCluster();
const admin = cluster.admin();

let redis: RedisServer;
beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

interface Deployment {
  namespace: string;
  operator: OperatorProcess;
  live: LiveGameServers;
  stop(): Promise<void>;
}

/** A namespace with a Fleet of N live game servers on Agones (one Redis) and the operator. */
async function deploy(servers: number): Promise<Deployment> {
  const namespace = `api-${randomBytes(3).toString('hex')}`;
  const prefix = `${namespace}:`;
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const live = await LiveGameServers.start(cluster, namespace, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    ROOM_LEASE_MS: '1500',
    JOIN_FAILURES_PER_MINUTE: '1000',
    LOG_LEVEL: 'warn',
  });
  await createFleet(admin, namespace, 'rps', {
    replicas: servers,
    roomsCapacity: 50,
    labels: { [LABEL]: 'rps' },
  });
  await gameServersIn(admin, namespace, 'Ready', servers, 90_000);
  const operator = await OperatorProcess.start({
    KUBECONFIG: cluster.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    API_KEYS: CONTRACT_API_KEYS,
  });
  return {
    namespace,
    operator,
    live,
    async stop() {
      await operator.stop();
      await live.stop();
    },
  };
}

describeRoomsApiContract('kubernetes (operator on the test control plane)', async () => {
  const deployment = await deploy(2);
  return { baseUrl: deployment.operator.apiUrl, stop: () => deployment.stop() };
});

describe('a player holding only a join link, on a cluster', () => {
  it('ends up back in the room after its game server dies and the operator moves the room', async () => {
    const deployment = await deploy(2);
    const clients: RoomClient[] = [];
    try {
      const response = await fetch(`${deployment.operator.apiUrl}/v1/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          gameType: 'rps',
          hostName: 'Host',
          settings: { rounds: 1, roundSeconds: 60 },
        }),
      });
      expect(response.status).toBe(201);
      const room = (await response.json()) as {
        roomCode: string;
        url: string;
        hostToken: string;
        playerJoinUrl: string;
      };

      // The client library only knows the join link's base (the Rooms API) and the room code.
      const joinBase = new URL(room.playerJoinUrl).origin;
      const host = new RoomClient({
        baseUrl: joinBase,
        roomCode: room.roomCode,
        token: room.hostToken,
        initialDelayMs: 100,
      });
      const bob = new RoomClient({
        baseUrl: joinBase,
        roomCode: room.roomCode,
        name: 'Bob',
        initialDelayMs: 100,
      });
      clients.push(host, bob);
      await host.start();
      await bob.start();
      expect(await host.act({ type: 'start' })).toMatchObject({ ok: true });
      expect(await bob.act({ type: 'choose', choice: 'rock' })).toMatchObject({ ok: true });

      // The room's game server dies (kill -9), and its GameServer is deleted, as Agones does when the pod goes.
      const victim = (await listGameServers(admin, deployment.namespace)).find(
        (gs) => `http://${gs.status.address}:${gs.status.ports[0].port}` === room.url,
      );
      await deployment.live.crash(victim.metadata.name);
      await deleteGameServer(admin, deployment.namespace, victim.metadata.name);

      await waitUntil(
        () => host.status === 'connected' && bob.status === 'connected' && host.room?.version,
        20_000,
        'both back',
      );
      const located = (await (
        await fetch(`${joinBase}/r/${room.roomCode}`, { headers: { accept: 'application/json' } })
      ).json()) as {
        url: string;
      };
      expect(located.url).not.toBe(room.url);
      expect(deployment.live.names()).toContain(
        (await listGameServers(admin, deployment.namespace)).find(
          (gs) => `http://${gs.status.address}:${gs.status.ports?.[0]?.port}` === located.url,
        )?.metadata.name,
      );
      expect(host.role).toBe('host');
      expect((bob.room!.game as { myChoice: string }).myChoice).toBe('rock');
      expect(await host.act({ type: 'choose', choice: 'paper' })).toMatchObject({ ok: true });
      await waitUntil(
        () => host.room?.phase === 'playing' && (host.room.game as { stage: string }).stage === 'reveal',
      );
      const gr = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'gamebuddies.io',
        version: 'v1alpha1',
        namespace: deployment.namespace,
        plural: 'gamerooms',
        name: `room-${room.roomCode.toLowerCase()}`,
      })) as { status: { failovers: number } };
      expect(gr.status.failovers).toBe(1);
    } finally {
      for (const c of clients) c.close();
      await deployment.stop();
    }
  });
});
