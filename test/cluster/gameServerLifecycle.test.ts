import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { GR, LABEL, installGameRoomCrd } from './crds.js';
import { createFleet, gameServersIn, getGameServer } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// The game server's side of Agones through Agones' real sidecar: a room that ends leaves the List and
// the empty server goes back to Ready; a drained server shuts down after its last room and Agones
// deletes it.

const cluster = testCluster();
const admin = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);

let redis: RedisServer;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await redis?.stop();
});

async function setup() {
  const namespace = `gsl-${randomBytes(3).toString('hex')}`;
  const prefix = `${namespace}:`;
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const live = await LiveGameServers.start(cluster, namespace, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    RECONNECT_GRACE_MS: '300',
    LOG_LEVEL: 'warn',
  });
  stops.push(() => live.stop());
  await createFleet(admin, namespace, 'rps', { replicas: 1, roomsCapacity: 3, labels: { [LABEL]: 'rps' } });
  const [gs] = await gameServersIn(admin, namespace, 'Ready', 1, 90_000);
  const operator = await OperatorProcess.start({
    KUBECONFIG: cluster.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    API_KEYS: 'test-key-0123456789abcdef',
  });
  stops.push(() => operator.stop());
  return { namespace, live, gsName: gs.metadata.name as string };
}

async function roomWithHost(namespace: string, name: string) {
  await custom.createNamespacedCustomObject({
    ...GR,
    namespace,
    body: {
      apiVersion: 'gamebuddies.io/v1alpha1',
      kind: 'GameRoom',
      metadata: { name },
      spec: { gameType: 'rps', hostName: 'Ana' },
    },
  });
  const room = await waitUntil(
    async () => {
      const room: any = await custom.getNamespacedCustomObject({ ...GR, namespace, name });
      return room.status?.phase === 'Ready' ? room : null;
    },
    30_000,
    `GameRoom ${name} Ready`,
  );
  const secret = await admin
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace, name: `${name}-host` });
  const token = Buffer.from(secret.data!.hostToken!, 'base64').toString();
  const host = await TestPlayer.join(room.status.url, { roomCode: room.spec.roomCode, token });
  stops.push(async () => host.close());
  return { room, host };
}

describe('a game server under Agones (real sidecar)', () => {
  it('gives the slot back when its room ends, and the empty server goes back to Ready', async () => {
    const { namespace, gsName } = await setup();
    const { room, host } = await roomWithHost(namespace, 'short');
    expect((await getGameServer(admin, namespace, gsName)).status).toMatchObject({
      state: 'Allocated',
      lists: { rooms: { values: [room.spec.roomCode] } },
    });
    expect(await host.emit('room:leave', {})).toMatchObject({ ok: true });
    const gs = await waitUntil(
      async () => {
        const gs = await getGameServer(admin, namespace, gsName);
        return gs.status.state === 'Ready' && (gs.status.lists.rooms.values ?? []).length === 0 ? gs : null;
      },
      30_000,
      'the code to leave the List and the server to be Ready',
    );
    expect(gs.metadata.name).toBe(gsName);
    const finished = await waitUntil(
      async () => {
        const r: any = await custom.getNamespacedCustomObject({ ...GR, namespace, name: 'short' });
        return r.status?.phase === 'Finished' ? r : null;
      },
      30_000,
      'the GameRoom to be Finished',
    );
    expect(finished.status.finishedAt).toBeDefined();
  }, 150_000);

  it('shuts down through the sidecar after its last room when drained, and Agones deletes it', async () => {
    const { namespace, gsName } = await setup();
    const { host } = await roomWithHost(namespace, 'last');
    await custom.patchNamespacedCustomObject(
      {
        group: 'agones.dev',
        version: 'v1',
        namespace,
        plural: 'gameservers',
        name: gsName,
        body: { metadata: { labels: { 'gamebuddies.io/accepting': 'false' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    // Still serving its room while draining.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await getGameServer(admin, namespace, gsName)).status.state).toBe('Allocated');
    await host.emit('room:leave', {});
    await waitUntil(
      () =>
        getGameServer(admin, namespace, gsName).then(
          () => false,
          (e: { code?: number }) => e.code === 404,
        ),
      60_000,
      'Agones to delete the drained GameServer',
    );
    // The Fleet keeps its size with a fresh GameServer.
    const [fresh] = await gameServersIn(admin, namespace, 'Ready', 1, 60_000);
    expect(fresh.metadata.name).not.toBe(gsName);
  }, 150_000);
});
