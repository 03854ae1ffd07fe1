import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { RoomStore } from '@gamebuddies/rooms';
import { testCluster } from './cluster.js';
import { CHART, renderChart, writeObjects, type KubeObject } from './chart.js';
import { kubectl } from './kubectl.js';
import { applyCrds, GR } from './crds.js';
import { gameServersIn, listGameServers } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { waitUntil } from '../helpers/wait.js';

// Day 2 of the chart on real Agones: the chart's Fleet and operator run rooms that players play,
// then the chart is rendered again with a new game-server image tag and the new Fleet applied (what
// `helm upgrade` does to it) while the rooms are live. Agones rolls the Fleet; its allocationOverflow
// marks the old Allocated servers `gamebuddies.io/accepting: "false"`, the operator places no new room
// on them, and they leave after the (here small) drain timeout, their rooms moved with nothing lost.

const cluster = testCluster();
const admin = cluster.admin();
const core = admin.makeApiClient(CoreV1Api);
const custom = admin.makeApiClient(CustomObjectsApi);
const ACCEPTING = 'gamebuddies.io/accepting';
const GSS_LABEL = 'agones.dev/gameserverset';
const API_KEY = 'upgrade-key-0123456789';
const DRAIN_TIMEOUT_S = 8;

let redis: RedisServer;
let store: RoomStore | undefined;
const operators: OperatorProcess[] = [];
const lives: LiveGameServers[] = [];
const players: TestPlayer[] = [];
const gameNamespaces: string[] = [];

beforeAll(async () => {
  await applyCrds(
    cluster.kubectl,
    cluster.kubeconfigPath,
    join(CHART, 'files/crds/gamerooms.gamebuddies.io.yaml'),
  );
  redis = await RedisServer.start();
}, 60_000);
afterEach(async () => {
  for (const p of players.splice(0)) p.close();
  await Promise.all(operators.splice(0).map((o) => o.stop()));
  await Promise.all(lives.splice(0).map((l) => l.stop()));
  await store?.close();
  store = undefined;
  // No namespace controller runs here: the Agones objects are deleted, so nothing is left running.
  for (const ns of gameNamespaces.splice(0))
    kubectl(cluster.kubectl, cluster.kubeconfigPath, [
      'delete',
      'fleets,gameserversets,gameservers',
      '--all',
      '-n',
      ns,
      '--wait=false',
    ]);
});
afterAll(async () => {
  await redis?.stop();
});

interface Install {
  release: string;
  operatorNs: string;
  gameNs: string;
}

/** The chart's rps Fleet as `helm template` renders it with the test's values and image tag. */
function render(inst: Install, tag: string) {
  const { objects } = renderChart(cluster.helm, {
    release: inst.release,
    namespace: inst.operatorNs,
    valuesFiles: [join(CHART, 'ci/agones-values.yaml')],
    set: {
      'gameServers.namespace': inst.gameNs,
      'images.gameServer.tag': tag,
      // Two rps servers of 4 rooms, no autoscaler (the rollout alone changes the servers).
      'gameServers.fleets.rps.maxRooms': '4',
      'gameServers.fleet.autoscaler.enabled': 'false',
      'gameServers.fleet.replicas': '2',
      'gameServers.fleet.health.initialDelaySeconds': '1',
      'gameServers.fleet.health.periodSeconds': '2',
      'gameServers.drainTimeoutSeconds': String(DRAIN_TIMEOUT_S),
    },
  });
  const fleet = objects.find(
    (o) => o.kind === 'Fleet' && o.metadata.labels?.['gamebuddies.io/game-type'] === 'rps',
  )!;
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const rbac = objects.filter((o) =>
    ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind),
  );
  return { fleet, deployment, rbac };
}

const envOf = (container: any): Record<string, string> =>
  Object.fromEntries(
    (container.env as { name: string; value?: string }[])
      .filter((e) => e.value !== undefined)
      .map((e) => [e.name, e.value!]),
  );

async function install(): Promise<
  Install & { fleet: KubeObject; operator: OperatorProcess; live: LiveGameServers }
> {
  const id = randomBytes(3).toString('hex');
  const inst = { release: `u${id}`, operatorNs: `gbu-${id}`, gameNs: `gamesu-${id}` };
  for (const name of [inst.operatorNs, inst.gameNs])
    await core.createNamespace({ body: { metadata: { name } } });
  gameNamespaces.push(inst.gameNs);
  const { fleet, deployment, rbac } = render(inst, '1.0.0');
  kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', writeObjects(rbac)]);

  // The operator with the chart ServiceAccount's token and the chart Deployment's environment.
  const pod = deployment.spec.template.spec;
  const operator = await OperatorProcess.start({
    ...envOf(pod.containers[0]),
    KUBECONFIG: await cluster.serviceAccountKubeconfig(inst.operatorNs, pod.serviceAccountName),
    POD_NAMESPACE: inst.operatorNs,
    POD_NAME: `${inst.release}-operator-0`,
    API_KEYS: API_KEY,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `${inst.release}:`,
    LOG_LEVEL: 'info',
  });
  operators.push(operator);

  // The game servers get the drain timeout the chart renders into the Fleet's pods.
  const gsEnv = envOf(fleet.spec.template.spec.template.spec.containers[0]);
  expect(gsEnv.DRAIN_TIMEOUT_MS).toBe(String(DRAIN_TIMEOUT_S * 1000));
  const live = await LiveGameServers.start(cluster, inst.gameNs, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `${inst.release}:`,
    DRAIN_TIMEOUT_MS: gsEnv.DRAIN_TIMEOUT_MS!,
    LOG_LEVEL: 'warn',
  });
  lives.push(live);
  kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', writeObjects([fleet])]);
  store = await redisRoomStore(redis.url, `${inst.release}:`, 'test');
  return { ...inst, fleet, operator, live };
}

async function createRoom(ns: string, name: string, spec: Record<string, unknown> = { gameType: 'rps' }) {
  await custom.createNamespacedCustomObject({
    ...GR,
    namespace: ns,
    body: { apiVersion: 'gamebuddies.io/v1alpha1', kind: 'GameRoom', metadata: { name }, spec },
  });
}
const getRoom = (ns: string, name: string): Promise<any> =>
  custom.getNamespacedCustomObject({ ...GR, namespace: ns, name });
const ready = (ns: string, name: string, timeoutMs = 60_000) =>
  waitUntil(
    async () => {
      const room = await getRoom(ns, name);
      return room.status?.phase === 'Ready' ? room : null;
    },
    timeoutMs,
    `GameRoom ${name} to be Ready`,
  );
/** Ready on a server not in `gone` (the operator sees a server leave a moment after it has). */
const readyOff = (ns: string, name: string, gone: Set<string>, timeoutMs = 30_000) =>
  waitUntil(
    async () => {
      const room = await getRoom(ns, name);
      return room.status?.phase === 'Ready' && !gone.has(room.status.gameServer?.name) ? room : null;
    },
    timeoutMs,
    `GameRoom ${name} to be Ready on a remaining server`,
  );
async function hostToken(ns: string, room: string): Promise<string> {
  const secret = await core.readNamespacedSecret({ namespace: ns, name: `${room}-host` });
  return Buffer.from(secret.data!.hostToken!, 'base64').toString();
}

interface Played {
  name: string;
  code: string;
  hostToken: string;
  bobToken: string;
  hostId: string;
  bobId: string;
}

/** A room with two players who play a round: every action acknowledged. */
async function playRound(ns: string, name: string): Promise<Played> {
  await createRoom(ns, name, {
    gameType: 'rps',
    hostName: 'Ana',
    maxPlayers: 4,
    settings: { rounds: 3, roundSeconds: 120 },
  });
  const room = await ready(ns, name);
  const code = room.spec.roomCode as string;
  const token = await hostToken(ns, name);
  const host = await TestPlayer.join(room.status.url, { roomCode: code, token });
  players.push(host);
  const bob = await TestPlayer.join(room.status.url, { roomCode: code, name: 'Bob' });
  players.push(bob);
  expect(await host.emit('game:action', { type: 'start' })).toMatchObject({ ok: true });
  expect(await host.emit('game:action', { type: 'choose', choice: 'rock' })).toMatchObject({ ok: true });
  const revealed = host.next('room:state', (st) => (st.game as any).stage === 'reveal');
  expect(await bob.emit('game:action', { type: 'choose', choice: 'scissors' })).toMatchObject({ ok: true });
  expect(((await revealed).game as any).scores).toEqual({ [host.id]: 1, [bob.id]: 0 });
  return {
    name,
    code,
    hostToken: token,
    bobToken: bob.joined!.sessionToken,
    hostId: host.id,
    bobId: bob.id,
  };
}

describe('helm upgrade of the game-server image while rooms are live', () => {
  it('rolls the Fleet within the drain bound; no room ends or loses an acked action, none lands on an old or drained server', async () => {
    const inst = await install();
    const { gameNs: ns, live } = inst;
    await gameServersIn(admin, ns, 'Ready', 2, 90_000);

    // Rooms on the old version, played.
    const played = [await playRound(ns, 'one'), await playRound(ns, 'two')];
    const before = await listGameServers(admin, ns);
    const oldSet = before[0].metadata.labels[GSS_LABEL] as string;
    const oldServers = new Set(before.map((gs) => gs.metadata.name as string));
    expect(before.every((gs) => gs.metadata.labels[GSS_LABEL] === oldSet)).toBe(true);
    const oldAllocated = before.filter((gs) => gs.status.state === 'Allocated').map((gs) => gs.metadata.name);
    expect(oldAllocated.length).toBeGreaterThan(0);

    // `helm upgrade --set images.gameServer.tag=1.1.0`: the new Fleet template, applied.
    const { fleet: upgraded } = render(inst, '1.1.0');
    expect(upgraded.spec.template.spec.template.spec.containers[0].image).toMatch(/:1\.1\.0$/);
    const upgradeAt = Date.now();
    kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', writeObjects([upgraded])]);

    // Agones' allocationOverflow marks the old Allocated servers as no longer accepting, and the
    // rollout deletes the old Ready ones: every old server left carries accepting=false.
    await waitUntil(
      async () => {
        const old = (await listGameServers(admin, ns)).filter(
          (gs) => oldServers.has(gs.metadata.name) && !gs.metadata.deletionTimestamp,
        );
        // Still holding rooms: the new room below is placed while old servers are alive.
        return old.length > 0 && old.every((gs) => gs.metadata.labels?.[ACCEPTING] === 'false');
      },
      30_000,
      'every old server left to be marked accepting=false',
    );

    // A room made during the rollout lands on a new server, never an old one.
    await createRoom(ns, 'during', { gameType: 'rps' });
    const during = await ready(ns, 'during', 60_000);
    expect(oldServers.has(during.status.gameServer.name)).toBe(false);

    // The rollout completes: every old server is gone, within the documented bound (drain timeout +
    // termination grace period after the marking).
    const grace = inst.fleet.spec.template.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    const boundMs = (DRAIN_TIMEOUT_S + grace) * 1000;
    await waitUntil(
      async () => {
        const servers = await listGameServers(admin, ns);
        return servers.every((gs) => !oldServers.has(gs.metadata.name)) ? servers : null;
      },
      boundMs + 15_000,
      'every old GameServer to be gone',
    );
    const rolledMs = Date.now() - upgradeAt;
    if (process.env.UPGRADE_TEST_FIGURES)
      console.log(`rollout completed in ${rolledMs} ms (bound ${boundMs} ms)`);
    expect(rolledMs).toBeLessThan(boundMs + 10_000);
    await waitUntil(
      async () => {
        const sets = (await custom.listNamespacedCustomObject({
          group: 'agones.dev',
          version: 'v1',
          namespace: ns,
          plural: 'gameserversets',
        })) as { items: any[] };
        return sets.items.every((s) => s.metadata.name !== oldSet || s.status?.replicas === 0);
      },
      30_000,
      'the old GameServerSet to be empty',
    );

    // No room ended: each is Ready on a new server, and its players find what they were acked.
    for (const p of played) {
      const room = await readyOff(ns, p.name, oldServers);
      // Moved off its drained old server, not recreated.
      expect(room.status.failovers).toBeGreaterThanOrEqual(1);
      expect(await store!.loadRoom(p.code)).not.toBeNull();
      const host = await TestPlayer.join(room.status.url, { roomCode: p.code, token: p.hostToken });
      players.push(host);
      const bob = await TestPlayer.join(room.status.url, { roomCode: p.code, token: p.bobToken });
      players.push(bob);
      expect(host.id).toBe(p.hostId);
      expect(bob.id).toBe(p.bobId);
      // Round 1's acked picks (rock beats scissors) are in the score, whatever round it is now.
      expect((host.joined!.room.game as any).scores).toEqual({ [p.hostId]: 1, [p.bobId]: 0 });
    }
    const afterRollout = await listGameServers(admin, ns);
    expect(afterRollout.every((gs) => gs.metadata.labels[ACCEPTING] === 'true')).toBe(true);
    expect(afterRollout.every((gs) => gs.metadata.labels[GSS_LABEL] !== oldSet)).toBe(true);
    expect(live.errors).toEqual([]);

    // A drain by label: the new server holding the most rooms takes no new one.
    const busiest = [...afterRollout].sort(
      (a, b) => (b.status.lists.rooms.values ?? []).length - (a.status.lists.rooms.values ?? []).length,
    )[0];
    const drained = busiest.metadata.name as string;
    expect((busiest.status.lists.rooms.values ?? []).length).toBeGreaterThan(0);
    kubectl(cluster.kubectl, cluster.kubeconfigPath, [
      'label',
      'gs',
      drained,
      '-n',
      ns,
      `${ACCEPTING}=false`,
      '--overwrite',
    ]);
    for (const name of ['after-drain-1', 'after-drain-2']) {
      await createRoom(ns, name, { gameType: 'rps' });
      const room = await ready(ns, name, 60_000);
      expect(room.status.gameServer.name).not.toBe(drained);
    }
    // Its rooms move once the drain times out, still playable with what was acked.
    await waitUntil(
      async () => !(await listGameServers(admin, ns)).some((gs) => gs.metadata.name === drained),
      (DRAIN_TIMEOUT_S + grace) * 1000 + 10_000,
      'the drained server to leave',
    );
    for (const p of played) {
      const room = await readyOff(ns, p.name, new Set([drained]));
      const host = await TestPlayer.join(room.status.url, { roomCode: p.code, token: p.hostToken });
      players.push(host);
      // Round 1's acked picks (rock beats scissors) are in the score, whatever round it is now.
      expect((host.joined!.room.game as any).scores).toEqual({ [p.hostId]: 1, [p.bobId]: 0 });
    }
    // No GameRoom was ended along the way.
    const rooms = (await custom.listNamespacedCustomObject({ ...GR, namespace: ns })) as { items: any[] };
    expect(rooms.items.map((r) => r.metadata.name).sort()).toEqual(
      ['after-drain-1', 'after-drain-2', 'during', 'one', 'two'].sort(),
    );
  }, 180_000);
});
