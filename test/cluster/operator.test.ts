import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { RoomStore } from '@gamebuddies/rooms';
import { testCluster } from './cluster.js';
import { applyCrds } from './crds.js';
import { allocate, createGameServer, getGameServer, setGameServerState } from './agones.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { waitUntil } from '../helpers/wait.js';

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);
const GAMEROOM_CRD = fileURLToPath(new URL('../../crds/gamerooms.gamebuddies.io.yaml', import.meta.url));
const GR = { group: 'gamebuddies.io', version: 'v1alpha1', plural: 'gamerooms' };
const LABEL = 'gamebuddies.io/game-type';

let redis: RedisServer;
let store: RoomStore;
const prefix = `op${randomBytes(3).toString('hex')}:`;
const operators: OperatorProcess[] = [];

beforeAll(async () => {
  await applyCrds(cluster.kubectl, cluster.kubeconfigPath, GAMEROOM_CRD);
  redis = await RedisServer.start();
  store = await redisRoomStore(redis.url, prefix, 'test');
});
afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.stop()));
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

/** A namespace of its own, and the operator managing it (with the admin kubeconfig). */
async function setup(env: Record<string, string> = {}) {
  const namespace = `op-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const operator = await startOperator(namespace, env);
  return { namespace, operator };
}

async function startOperator(namespace: string, env: Record<string, string> = {}) {
  const operator = await OperatorProcess.start({
    KUBECONFIG: cluster.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    POD_NAME: `operator-${operators.length}`,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    API_KEYS: 'test-key-0123456789abcdef',
    ...env,
  });
  operators.push(operator);
  return operator;
}

async function createRoom(
  namespace: string,
  name: string,
  spec: Record<string, unknown> = { gameType: 'rps' },
) {
  await custom.createNamespacedCustomObject({
    ...GR,
    namespace,
    body: { apiVersion: 'gamebuddies.io/v1alpha1', kind: 'GameRoom', metadata: { name }, spec },
  });
}

async function getRoom(namespace: string, name: string): Promise<any> {
  return custom.getNamespacedCustomObject({ ...GR, namespace, name });
}

async function ready(namespace: string, name: string, timeoutMs = 15_000): Promise<any> {
  return waitUntil(
    async () => {
      const room = await getRoom(namespace, name);
      return room.status?.phase === 'Ready' ? room : null;
    },
    timeoutMs,
    `GameRoom ${name} to be Ready`,
  );
}

async function roomsOn(namespace: string, gs: string): Promise<string[]> {
  return (await getGameServer(admin, namespace, gs)).status.lists.rooms.values ?? [];
}

describe('the operator places GameRooms on Agones GameServers', () => {
  it('brings a GameRoom to Ready with its address, room code, store record and host token', async () => {
    const { namespace } = await setup();
    await createGameServer(admin, namespace, 'gs-1', {
      labels: { [LABEL]: 'rps' },
      roomsCapacity: 5,
      port: 7501,
    });
    await createRoom(namespace, 'party', {
      gameType: 'rps',
      hostName: 'Ana',
      maxPlayers: 6,
      settings: { rounds: 2 },
    });
    const room = await ready(namespace, 'party');
    const code = room.spec.roomCode;
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    expect(room.status).toMatchObject({
      phase: 'Ready',
      roomCode: code,
      address: '127.0.0.1:7501',
      url: 'http://127.0.0.1:7501',
      gameServer: { name: 'gs-1', namespace, nodeName: 'test-node' },
      players: 0,
      failovers: 0,
      observedGeneration: room.metadata.generation,
    });
    expect(room.status.conditions.map((c: any) => [c.type, c.status])).toEqual([
      ['Allocated', 'True'],
      ['Ready', 'True'],
    ]);
    expect(room.metadata.finalizers).toContain('gamebuddies.io/room-cleanup');
    expect(await roomsOn(namespace, 'gs-1')).toEqual([code]);
    expect(await store.loadRoom(code)).toMatchObject({
      gameType: 'rps',
      hostName: 'Ana',
      maxPlayers: 6,
      settings: { rounds: 2 },
    });
    const secret = await core.readNamespacedSecret({ namespace, name: 'party-host' });
    expect(Buffer.from(secret.data!.hostToken!, 'base64').toString().length).toBeGreaterThanOrEqual(22);
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['RoomCreated', 'Allocated']));
  });

  it('packs rooms onto an allocated server up to its list capacity, then uses a second server', async () => {
    const { namespace } = await setup();
    for (const name of ['gs-a', 'gs-b'])
      await createGameServer(admin, namespace, name, { labels: { [LABEL]: 'rps' }, roomsCapacity: 3 });
    for (let i = 0; i < 4; i++) {
      await createRoom(namespace, `r${i}`);
      await ready(namespace, `r${i}`);
    }
    const onA = await roomsOn(namespace, 'gs-a');
    const onB = await roomsOn(namespace, 'gs-b');
    expect([onA.length, onB.length].sort()).toEqual([1, 3]);
    expect((await getGameServer(admin, namespace, onA.length === 3 ? 'gs-a' : 'gs-b')).status.state).toBe(
      'Allocated',
    );
  });

  it('reports NoCapacity when no server has a free slot, and places the room once one appears', async () => {
    const { namespace } = await setup();
    await createRoom(namespace, 'waiting');
    const stuck = await waitUntil(async () => {
      const room = await getRoom(namespace, 'waiting');
      const condition = room.status?.conditions?.find((c: any) => c.type === 'Allocated');
      return condition?.reason === 'NoCapacity' ? room : null;
    });
    expect(stuck.status.phase).toBe('Allocating');
    expect(stuck.status.conditions.find((c: any) => c.type === 'Allocated').message).toMatch(
      /gamebuddies.io\/game-type=rps/,
    );
    await createGameServer(admin, namespace, 'late', { labels: { [LABEL]: 'rps' }, roomsCapacity: 2 });
    const room = await ready(namespace, 'waiting', 20_000);
    expect(room.status.gameServer.name).toBe('late');
  });

  it('never allocates twice when it crashed between allocation and the status write', async () => {
    const namespace = `op-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createGameServer(admin, namespace, 'tight', { labels: { [LABEL]: 'rps' }, roomsCapacity: 1 });
    await createGameServer(admin, namespace, 'roomy', { labels: { [LABEL]: 'rps' }, roomsCapacity: 10 });
    // The crash: the room was created and allocated, but no status was written.
    await createRoom(namespace, 'survivor', { gameType: 'rps', roomCode: 'QRSTUV' });
    await allocate(admin, namespace, {
      selectors: [{ matchLabels: { [LABEL]: 'rps' }, lists: { rooms: { minAvailable: 1 } } }],
      priorities: [{ type: 'List', key: 'rooms', order: 'Ascending' }],
      lists: { rooms: { addValues: ['QRSTUV'] } },
    });
    expect(await roomsOn(namespace, 'tight')).toEqual(['QRSTUV']);
    await startOperator(namespace);
    const room = await ready(namespace, 'survivor');
    expect(room.status.gameServer.name).toBe('tight');
    expect(await roomsOn(namespace, 'roomy')).toEqual([]);
  });

  it('moves a room when its GameServer is deleted or turns Unhealthy, counting failovers', async () => {
    const { namespace } = await setup();
    for (const name of ['first', 'second', 'third']) {
      await createGameServer(admin, namespace, name, { labels: { [LABEL]: 'rps' }, roomsCapacity: 1 });
    }
    await createRoom(namespace, 'mover');
    const placed = await ready(namespace, 'mover');
    const firstHome = placed.status.gameServer.name;
    await custom.deleteNamespacedCustomObject({
      group: 'agones.dev',
      version: 'v1',
      namespace,
      plural: 'gameservers',
      name: firstHome,
    });
    const moved = await waitUntil(async () => {
      const room = await getRoom(namespace, 'mover');
      return room.status.gameServer?.name !== firstHome && room.status.phase === 'Ready' ? room : null;
    });
    expect(moved.status.failovers).toBe(1);
    const secondHome = moved.status.gameServer.name;
    await setGameServerState(admin, namespace, secondHome, 'Unhealthy');
    const again = await waitUntil(async () => {
      const room = await getRoom(namespace, 'mover');
      return room.status.gameServer?.name !== secondHome && room.status.phase === 'Ready' ? room : null;
    });
    expect(again.status.failovers).toBe(2);
    expect(await roomsOn(namespace, again.status.gameServer.name)).toEqual([again.spec.roomCode]);
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.filter((e) => e.reason === 'Moved')).toHaveLength(2);
  });

  it('on deletion closes the room and frees its slot on the GameServer', async () => {
    const { namespace } = await setup();
    await createGameServer(admin, namespace, 'gs', { labels: { [LABEL]: 'rps' }, roomsCapacity: 2 });
    await createRoom(namespace, 'doomed');
    const code = (await ready(namespace, 'doomed')).spec.roomCode;
    expect(await roomsOn(namespace, 'gs')).toEqual([code]);
    await custom.deleteNamespacedCustomObject({ ...GR, namespace, name: 'doomed' });
    await waitUntil(
      async () => (await getRoom(namespace, 'doomed').catch(() => null)) === null,
      10_000,
      'the GameRoom to go',
    );
    expect(await roomsOn(namespace, 'gs')).toEqual([]);
    expect(await store.loadRoom(code)).toBeNull();
  });

  it('marks a room Finished when it ended on its server, and deletes it after ttlSecondsAfterFinished', async () => {
    const { namespace } = await setup();
    await createGameServer(admin, namespace, 'gs', { labels: { [LABEL]: 'rps' }, roomsCapacity: 2 });
    await createRoom(namespace, 'short', { gameType: 'rps', ttlSecondsAfterFinished: 2 });
    const code = (await ready(namespace, 'short')).spec.roomCode;
    // The game server closes the room (last player gone) and frees its slot.
    await store.deleteRoom(code, 'expired');
    const gs = await getGameServer(admin, namespace, 'gs');
    gs.status.lists.rooms.values = [];
    await custom.replaceNamespacedCustomObject({
      group: 'agones.dev',
      version: 'v1',
      namespace,
      plural: 'gameservers',
      name: 'gs',
      body: gs,
    });
    const finished = await waitUntil(async () => {
      const room = await getRoom(namespace, 'short');
      return room.status.phase === 'Finished' ? room : null;
    });
    expect(finished.status.finishedAt).toBeDefined();
    await waitUntil(
      async () => (await getRoom(namespace, 'short').catch(() => null)) === null,
      10_000,
      'the TTL',
    );
  });

  it('fails a GameRoom whose settings the game refuses, with the reason in its condition', async () => {
    const { namespace } = await setup();
    await createRoom(namespace, 'invalid', { gameType: 'rps', settings: { rounds: 99 } });
    const failed = await waitUntil(async () => {
      const room = await getRoom(namespace, 'invalid');
      return room.status?.phase === 'Failed' ? room : null;
    });
    const condition = failed.status.conditions.find((c: any) => c.type === 'Ready');
    expect(condition).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(condition.message).toMatch(/rounds/);
  });
});

describe('two operator replicas', () => {
  it('only the leader reconciles; the other takes over when the leader stops or dies', async () => {
    const { namespace, operator: first } = await setup();
    const second = await startOperator(namespace);
    await createGameServer(admin, namespace, 'gs', { labels: { [LABEL]: 'rps' }, roomsCapacity: 10 });
    await waitUntil(async () => (await first.isLeader()) !== (await second.isLeader()), 10_000, 'one leader');
    const [leader, follower] = (await first.isLeader()) ? [first, second] : [second, first];

    await createRoom(namespace, 'one');
    await ready(namespace, 'one');
    expect(await follower.metric('controller_runtime_reconcile_total')).toBe(0);
    expect(await leader.metric('controller_runtime_reconcile_total')).toBeGreaterThan(0);

    await leader.stop(); // gives the lease up: no waiting for it to expire
    await waitUntil(() => follower.isLeader(), 5000, 'the follower to lead');
    await createRoom(namespace, 'two');
    await ready(namespace, 'two');
    expect(await follower.metric('controller_runtime_reconcile_total')).toBeGreaterThan(0);

    const third = await startOperator(namespace);
    await follower.crash(); // kill -9: the lease must expire first
    await waitUntil(() => third.isLeader(), 15_000, 'the third replica to lead');
    await createRoom(namespace, 'three');
    await ready(namespace, 'three');
  });
});
