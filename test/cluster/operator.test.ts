import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { RoomStore } from '@gamebuddies/rooms';
import { testCluster } from './cluster.js';
import { GR, LABEL, installGameRoomCrd } from './crds.js';
import {
  createFleet,
  deleteGameServer,
  gameServersIn,
  getGameServer,
  listGameServers,
  scaleFleet,
} from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { waitUntil } from '../helpers/wait.js';

// The operator against Agones v1.60.0: Agones' controller makes the GameServers of a Fleet, kwok and
// kube-scheduler give them nodes and running pods, and each GameServer runs the real game-server
// process beside Agones' real sdk-server. Allocations are answered by Agones' own allocator.

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);

let redis: RedisServer;
let store: RoomStore;
const prefix = `op${randomBytes(3).toString('hex')}:`;
const operators: OperatorProcess[] = [];
const lives: LiveGameServers[] = [];

beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
  store = await redisRoomStore(redis.url, prefix, 'test');
});
afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.stop()));
  await Promise.all(lives.splice(0).map((l) => l.stop()));
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

async function namespaceWithServers(): Promise<{ namespace: string; live: LiveGameServers }> {
  const namespace = `op-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const live = await LiveGameServers.start(cluster, namespace, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  });
  lives.push(live);
  return { namespace, live };
}

/** A namespace of its own, a Fleet of live game servers, and the operator managing it (admin kubeconfig). */
async function setup(
  fleet: { replicas: number; roomsCapacity: number } = { replicas: 1, roomsCapacity: 5 },
  env: Record<string, string> = {},
) {
  const { namespace, live } = await namespaceWithServers();
  if (fleet.replicas > 0) {
    await createFleet(admin, namespace, 'rps', { ...fleet, labels: { [LABEL]: 'rps' } });
    await gameServersIn(admin, namespace, 'Ready', fleet.replicas, 90_000);
  }
  const operator = await startOperator(namespace, env);
  return { namespace, live, operator };
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

async function ready(namespace: string, name: string, timeoutMs = 30_000): Promise<any> {
  return waitUntil(
    async () => {
      const room = await getRoom(namespace, name);
      return room.status?.phase === 'Ready' ? room : null;
    },
    timeoutMs,
    `GameRoom ${name} to be Ready`,
  );
}

/**
 * The room's `Moved` Events once there are `count` of them. Events are written after the status that
 * names the new server, without blocking it: a status seen moved may run a moment ahead of its Event.
 * A second look a little later shows that no more came (a move is told once).
 */
async function movedEvents(namespace: string, room: string, count: number): Promise<string[]> {
  const moves = async () =>
    (await core.listNamespacedEvent({ namespace })).items
      .filter((e) => e.reason === 'Moved' && e.involvedObject.name === room)
      .map((e) => e.message ?? '');
  await waitUntil(async () => (await moves()).length >= count, 10_000, `${count} Moved events of ${room}`);
  await new Promise((r) => setTimeout(r, 1000));
  return moves();
}

async function hostToken(namespace: string, room: string): Promise<string> {
  const secret = await core.readNamespacedSecret({ namespace, name: `${room}-host` });
  return Buffer.from(secret.data!.hostToken!, 'base64').toString();
}

/** GameServers whose `rooms` List holds the code. */
async function holders(namespace: string, code: string): Promise<string[]> {
  return (await listGameServers(admin, namespace))
    .filter((gs) => (gs.status?.lists?.rooms?.values ?? []).includes(code))
    .map((gs) => gs.metadata.name);
}

const players: TestPlayer[] = [];
afterEach(() => {
  for (const p of players.splice(0)) p.close();
});

describe('the operator places GameRooms on real Agones GameServers', () => {
  it('brings a GameRoom to Ready on a live GameServer, where its host joins with the token and plays', async () => {
    const { namespace, live } = await setup({ replicas: 1, roomsCapacity: 5 });
    await createRoom(namespace, 'party', {
      gameType: 'rps',
      hostName: 'Ana',
      maxPlayers: 6,
      settings: { rounds: 1, roundSeconds: 60 },
    });
    const room = await ready(namespace, 'party');
    const code = room.spec.roomCode;
    const gs = await getGameServer(admin, namespace, room.status.gameServer.name);
    const address = `${gs.status.address}:${gs.status.ports[0].port}`;
    expect(room.status).toMatchObject({
      phase: 'Ready',
      roomCode: code,
      address,
      url: `http://${address}`,
      gameServer: { name: gs.metadata.name, namespace, nodeName: gs.status.nodeName },
      failovers: 0,
    });
    // Agones' allocator put the code in the List and the GameServer in Allocated.
    expect(gs.status.state).toBe('Allocated');
    expect(gs.status.lists.rooms.values).toEqual([code]);
    expect(live.url(gs.metadata.name)).toBe(room.status.url);
    expect((await fetch(`${room.status.url}/healthz`)).status).toBe(200);
    expect(await store.loadRoom(code)).toMatchObject({ gameType: 'rps', hostName: 'Ana', maxPlayers: 6 });

    const host = await TestPlayer.join(room.status.url, {
      roomCode: code,
      token: await hostToken(namespace, 'party'),
    });
    players.push(host);
    expect(host.joined!.room.hostId).toBe(host.id);
    expect(host.joined!.room.players.find((p) => p.id === host.id)?.name).toBe('Ana');
    const bob = await TestPlayer.join(room.status.url, { roomCode: code, name: 'Bob' });
    players.push(bob);
    expect((await host.emit('game:action', { type: 'start' })).ok).toBe(true);
    await host.emit('game:action', { type: 'choose', choice: 'rock' });
    const reveal = host.next('room:state', (s) => (s.game as any).stage === 'reveal');
    await bob.emit('game:action', { type: 'choose', choice: 'scissors' });
    expect(((await reveal).game as any).lastRound.choices).toEqual({
      [host.id]: 'rock',
      [bob.id]: 'scissors',
    });
  }, 150_000);

  it('packs rooms up to the List capacity, then the next server; a full Fleet says NoCapacity until it grows', async () => {
    const { namespace } = await setup({ replicas: 2, roomsCapacity: 2 }, { ALLOCATION_STRATEGY: 'pack' });
    for (let i = 0; i < 4; i++) {
      await createRoom(namespace, `r${i}`);
      await ready(namespace, `r${i}`);
    }
    const servers = await listGameServers(admin, namespace);
    expect(servers.map((gs) => gs.status.lists.rooms.values.length).sort()).toEqual([2, 2]);
    expect(servers.map((gs) => gs.status.state)).toEqual(['Allocated', 'Allocated']);

    await createRoom(namespace, 'waiting');
    const stuck = await waitUntil(
      async () => {
        const room = await getRoom(namespace, 'waiting');
        const condition = room.status?.conditions?.find((c: any) => c.type === 'Allocated');
        return condition?.reason === 'NoCapacity' ? room : null;
      },
      30_000,
      'NoCapacity',
    );
    expect(stuck.status.phase).toBe('Allocating');
    await scaleFleet(admin, namespace, 'rps', 3);
    const placed = await ready(namespace, 'waiting', 90_000);
    expect(servers.map((gs) => gs.metadata.name)).not.toContain(placed.status.gameServer.name);
  }, 240_000);

  it('never puts a room code in two Lists when it crashed between allocation and the status write', async () => {
    const { namespace, operator } = await setup({ replicas: 2, roomsCapacity: 3 });
    await createRoom(namespace, 'survivor', { gameType: 'rps', roomCode: 'QRSTUV' });
    const placed = await ready(namespace, 'survivor');
    const holder = placed.status.gameServer.name;
    // The crash: the room's record is in the store and Agones allocated it (its code is in the
    // List), but the operator died before the status said so.
    await operator.crash();
    await custom.patchNamespacedCustomObjectStatus(
      { ...GR, namespace, name: 'survivor', body: { status: null } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect((await getRoom(namespace, 'survivor')).status).toBeUndefined();
    await startOperator(namespace);
    const room = await ready(namespace, 'survivor');
    expect(room.status.gameServer.name).toBe(holder);
    // Reconciled again (a second operator replica later, a resync): still one holder.
    await startOperator(namespace);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await holders(namespace, 'QRSTUV')).toEqual([holder]);
  }, 180_000);

  it('counts a move whose allocation landed before a crash: the room was already on the new List', async () => {
    const { namespace, operator } = await setup({ replicas: 2, roomsCapacity: 3 });
    await createRoom(namespace, 'crossing', { gameType: 'rps', roomCode: 'WXYZ23' });
    const placed = await ready(namespace, 'crossing');
    const first = placed.status.gameServer.name as string;
    const next = (await listGameServers(admin, namespace)).find((gs) => gs.metadata.name !== first);
    // The crash: Agones had put the room on its next server's List (a move under way) when the
    // operator died, before the status said so. Then the first server goes away.
    await operator.crash();
    const rooms = next.status.lists.rooms as { capacity: number; values?: string[] };
    await custom.patchNamespacedCustomObject(
      {
        group: 'agones.dev',
        version: 'v1',
        plural: 'gameservers',
        namespace,
        name: next.metadata.name,
        body: { status: { lists: { rooms: { ...rooms, values: [...(rooms.values ?? []), 'WXYZ23'] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await deleteGameServer(admin, namespace, first);
    await startOperator(namespace);
    const moved = await waitUntil(
      async () => {
        const room = await getRoom(namespace, 'crossing');
        return room.status?.gameServer?.name === next.metadata.name && room.status.phase === 'Ready'
          ? room
          : null;
      },
      60_000,
      'the room to be on the server whose List has it',
    );
    expect(moved.status.failovers).toBe(1);
    expect(await movedEvents(namespace, 'crossing', 1)).toHaveLength(1);
    expect(await holders(namespace, 'WXYZ23')).toEqual([next.metadata.name]);
  }, 180_000);

  it('moves a room when its GameServer is deleted, and when its game-server process dies; the room keeps its state', async () => {
    const { namespace, live } = await namespaceWithServers();
    await createFleet(admin, namespace, 'rps', {
      replicas: 2,
      roomsCapacity: 5,
      labels: { [LABEL]: 'rps' },
      health: { periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 2 },
    });
    await gameServersIn(admin, namespace, 'Ready', 2, 90_000);
    await startOperator(namespace);
    await createRoom(namespace, 'mover', { gameType: 'rps', hostName: 'Ana', settings: { rounds: 3 } });
    const placed = await ready(namespace, 'mover');
    const code = placed.spec.roomCode;
    const token = await hostToken(namespace, 'mover');
    const host = await TestPlayer.join(placed.status.url, { roomCode: code, token });
    players.push(host);
    const firstHome = placed.status.gameServer.name;

    await deleteGameServer(admin, namespace, firstHome);
    const moved = await waitUntil(
      async () => {
        const room = await getRoom(namespace, 'mover');
        return room.status.gameServer?.name !== firstHome && room.status.phase === 'Ready' ? room : null;
      },
      60_000,
      'the room to move off the deleted GameServer',
    );
    expect(moved.status.failovers).toBe(1);
    expect(moved.status.url).not.toBe(placed.status.url);
    // The host follows to the new address with the same token; the room's settings came from Redis.
    const again = await TestPlayer.join(moved.status.url, { roomCode: code, token });
    players.push(again);
    expect(again.joined!.room).toMatchObject({
      roomCode: code,
      hostId: again.id,
      settings: expect.objectContaining({ rounds: 3 }),
    });

    const secondHome = moved.status.gameServer.name;
    await live.crash(secondHome);
    const third = await waitUntil(
      async () => {
        const room = await getRoom(namespace, 'mover');
        return room.status.gameServer?.name !== secondHome && room.status.phase === 'Ready' ? room : null;
      },
      90_000,
      'the room to move off the Unhealthy GameServer',
    );
    expect(third.status.failovers).toBe(2);
    // The crashed server still lists the code until Agones deletes it (it is Unhealthy, serving
    // nothing); then only the room's new server has it.
    const only = [third.status.gameServer.name];
    await waitUntil(
      async () => JSON.stringify(await holders(namespace, code)) === JSON.stringify(only),
      30_000,
      `the code on ${only[0]} alone`,
    );
    expect(await movedEvents(namespace, 'mover', 2)).toHaveLength(2);
  }, 240_000);

  it('on deletion closes the room, frees its slot, and the empty server goes back to Ready', async () => {
    const { namespace } = await setup({ replicas: 1, roomsCapacity: 2 });
    await createRoom(namespace, 'doomed');
    const room = await ready(namespace, 'doomed');
    const code = room.spec.roomCode;
    const gsName = room.status.gameServer.name;
    await custom.deleteNamespacedCustomObject({ ...GR, namespace, name: 'doomed' });
    await waitUntil(
      async () => (await getRoom(namespace, 'doomed').catch(() => null)) === null,
      20_000,
      'the GameRoom to go',
    );
    expect(await store.loadRoom(code)).toBeNull();
    const gs = await waitUntil(
      async () => {
        const gs = await getGameServer(admin, namespace, gsName);
        return gs.status.state === 'Ready' ? gs : null;
      },
      30_000,
      'the empty GameServer to be Ready again',
    );
    expect(gs.status.lists.rooms.values ?? []).toEqual([]);
  }, 150_000);

  it('fails a GameRoom whose settings the game refuses, with the reason in its condition', async () => {
    const { namespace } = await setup({ replicas: 0, roomsCapacity: 1 });
    await createRoom(namespace, 'invalid', { gameType: 'rps', settings: { rounds: 99 } });
    const failed = await waitUntil(async () => {
      const room = await getRoom(namespace, 'invalid');
      return room.status?.phase === 'Failed' ? room : null;
    });
    const condition = failed.status.conditions.find((c: any) => c.type === 'Ready');
    expect(condition).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(condition.message).toMatch(/rounds/i);
  });
});

describe('two operator replicas', () => {
  it('only the leader reconciles; the other takes over when the leader stops or dies', async () => {
    const { namespace, operator: first } = await setup({ replicas: 1, roomsCapacity: 10 });
    const second = await startOperator(namespace);
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
  }, 150_000);
});
