import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { CHART, renderChart, writeObjects, type KubeObject } from './chart.js';
import { kubectl } from './kubectl.js';
import { applyCrds, GR } from './crds.js';
import { deleteGameServer, gameServersIn, getGameServer, listGameServers } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// The operator under exactly the ServiceAccount and RBAC the chart installs: the chart's
// ServiceAccount, Roles and bindings are applied to the real API server, the operator runs with a
// token of that ServiceAccount and the environment of the chart's Deployment, and does its whole
// job. A rule the operator needs and the chart lacks fails these tests (the last one shows it).

const cluster = testCluster();
const admin = cluster.admin();
const core = admin.makeApiClient(CoreV1Api);
const custom = admin.makeApiClient(CustomObjectsApi);
const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
const API_KEY = 'chart-rbac-key-0123456789';

let redis: RedisServer;
const operators: OperatorProcess[] = [];
const lives: LiveGameServers[] = [];

beforeAll(async () => {
  await applyCrds(
    cluster.kubectl,
    cluster.kubeconfigPath,
    join(CHART, 'files/crds/gamerooms.gamebuddies.io.yaml'),
  );
  redis = await RedisServer.start();
}, 60_000);
afterEach(async () => {
  await Promise.all(operators.splice(0).map((o) => o.stop()));
  await Promise.all(lives.splice(0).map((l) => l.stop()));
});
afterAll(async () => {
  await redis?.stop();
});

interface Install {
  release: string;
  /** Where the operator runs (the release namespace). */
  operatorNs: string;
  /** Where GameRooms and GameServers live (gameServers.namespace). */
  gameNs: string;
  rbac: KubeObject[];
  deployment: KubeObject;
  /** The chart's rps Fleet and its List-policy FleetAutoscaler. */
  fleet: KubeObject[];
}

/** Renders the chart into two fresh namespaces and applies its RBAC objects for real. */
async function install(edit: (rbac: KubeObject[]) => void = () => undefined): Promise<Install> {
  const id = randomBytes(3).toString('hex');
  const release = `r${id}`;
  const operatorNs = `gb-${id}`;
  const gameNs = `games-${id}`;
  for (const name of [operatorNs, gameNs]) await core.createNamespace({ body: { metadata: { name } } });
  const { objects } = renderChart(cluster.helm, {
    release,
    namespace: operatorNs,
    valuesFiles: [join(CHART, 'ci/agones-values.yaml')],
    set: {
      'gameServers.namespace': gameNs,
      // One small rps Fleet (the chart's other game types are left out below), scaled by its
      // autoscaler: 5 rooms a server, 5 free slots kept, checked every second.
      'gameServers.fleets.rps.maxRooms': '5',
      'gameServers.fleet.autoscaler.bufferSize': '5',
      'gameServers.fleet.autoscaler.minCapacity': '5',
      'gameServers.fleet.autoscaler.maxCapacity': '20',
      'gameServers.fleet.autoscaler.syncPeriodSeconds': '1',
      'gameServers.fleet.health.initialDelaySeconds': '1',
      'gameServers.fleet.health.periodSeconds': '2',
    },
  });
  const rbac = objects.filter((o) => RBAC_KINDS.has(o.kind));
  edit(rbac);
  kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', writeObjects(rbac)]);
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const fleet = objects.filter(
    (o) =>
      (o.kind === 'Fleet' || o.kind === 'FleetAutoscaler') &&
      o.metadata.labels?.['gamebuddies.io/game-type'] === 'rps',
  );
  return { release, operatorNs, gameNs, rbac, deployment, fleet };
}

/** The operator with the chart ServiceAccount's token and the chart Deployment's environment. */
async function startOperator(inst: Install): Promise<OperatorProcess> {
  const pod = inst.deployment.spec.template.spec;
  const sa = pod.serviceAccountName as string;
  const kubeconfig = await cluster.serviceAccountKubeconfig(inst.operatorNs, sa);
  const chartEnv: Record<string, string> = {};
  for (const e of pod.containers[0].env as { name: string; value?: string }[]) {
    if (e.value !== undefined) chartEnv[e.name] = e.value;
  }
  const operator = await OperatorProcess.start({
    ...chartEnv,
    // What the Deployment takes from the downward API and Secrets, and Redis on loopback.
    KUBECONFIG: kubeconfig,
    POD_NAMESPACE: inst.operatorNs,
    POD_NAME: `${inst.release}-operator-0`,
    API_KEYS: API_KEY,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `${inst.release}:`,
    LOG_LEVEL: 'info',
  });
  operators.push(operator);
  return operator;
}

/** The chart's Fleet and FleetAutoscaler, applied; Agones makes the GameServers, which run live. */
async function startFleet(inst: Install): Promise<LiveGameServers> {
  const live = await LiveGameServers.start(cluster, inst.gameNs, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `${inst.release}:`,
    LOG_LEVEL: 'warn',
  });
  lives.push(live);
  kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', writeObjects(inst.fleet)]);
  return live;
}

async function createRoom(ns: string, name: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...GR,
    namespace: ns,
    body: {
      apiVersion: 'gamebuddies.io/v1alpha1',
      kind: 'GameRoom',
      metadata: { name },
      spec: { gameType: 'rps' },
    },
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

describe("the operator under the chart's ServiceAccount and RBAC", () => {
  it('places, moves and deletes rooms, serves the Rooms API and holds its Lease', async () => {
    const inst = await install();
    const { gameNs, operatorNs } = inst;
    const operator = await startOperator(inst);
    expect(operator.proc.output).not.toMatch(/forbidden/i);

    // The chart's Fleet and FleetAutoscaler on real Agones: minCapacity 5 at 5 rooms a server is one
    // GameServer, which the operator fills (GameServer list/watch, allocation create, GameRoom patch).
    await startFleet(inst);
    await gameServersIn(admin, gameNs, 'Ready', 1, 90_000);
    expect(await listGameServers(admin, gameNs)).toHaveLength(1);
    await createRoom(gameNs, 'kubectl-room');
    const room = await ready(gameNs, 'kubectl-room');
    const code = room.spec.roomCode as string;
    // A room made with kubectl keeps its host token in a Secret (secrets create), and Events are recorded.
    const secret = await core.readNamespacedSecret({ namespace: gameNs, name: 'kubectl-room-host' });
    expect(Buffer.from(secret.data!.roomCode!, 'base64').toString()).toBe(code);
    await waitUntil(async () => {
      const events = await core.listNamespacedEvent({ namespace: gameNs });
      return events.items.some((e) => e.reason === 'Allocated' && e.involvedObject.name === 'kubectl-room');
    });

    // The Rooms API (GameRoom create through the ServiceAccount, the cache it watches).
    const res = await fetch(`${operator.apiUrl}/v1/rooms?wait=10`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gameType: 'rps', hostName: 'Ana' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { roomCode: string; url: string };
    expect(created.url).toBe(room.status.url);

    // Two rooms leave 3 free slots, fewer than the buffer of 5: the FleetAutoscaler (acted on by
    // Agones' controller) adds a GameServer.
    const first = room.status.gameServer.name as string;
    await gameServersIn(admin, gameNs, 'Ready', 1, 60_000);
    expect((await listGameServers(admin, gameNs)).length).toBe(2);

    // Failover: the room's GameServer is deleted; the other takes the room (get/list/watch, allocation).
    await deleteGameServer(admin, gameNs, first);
    const moved = await waitUntil(
      async () => {
        const r = await getRoom(gameNs, 'kubectl-room');
        return r.status?.gameServer?.name && r.status.gameServer.name !== first && r.status.phase === 'Ready'
          ? r
          : null;
      },
      60_000,
      'the room to move to another GameServer',
    );
    // On failure, say how it got there (allocations and moves recorded as Events).
    const story = (await core.listNamespacedEvent({ namespace: gameNs })).items
      .filter((e) => e.involvedObject.name === 'kubectl-room')
      .map((e) => `${e.reason}: ${e.message}`);
    expect({ failovers: moved.status.failovers, story }).toMatchObject({ failovers: 1 });
    const second = moved.status.gameServer.name as string;

    // Deletion: the finalizer takes the code off the GameServer's List (gameservers patch).
    await custom.deleteNamespacedCustomObject({ ...GR, namespace: gameNs, name: 'kubectl-room' });
    await waitUntil(
      async () => {
        const gs = await getGameServer(admin, gameNs, second);
        return !(gs.status.lists.rooms.values ?? []).includes(code);
      },
      15_000,
      'the code to leave the rooms List',
    );
    await waitUntil(
      () =>
        getRoom(gameNs, 'kubectl-room').then(
          () => false,
          (e: { code?: number }) => e.code === 404,
        ),
      15_000,
      'the GameRoom to be gone',
    );

    // Leader election on the Lease the chart's Role names.
    const lease = await admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: operatorNs, name: `${inst.release}-gamebuddies-operator` });
    expect(lease.spec!.holderIdentity).toBe(`${inst.release}-operator-0`);
    expect(operator.proc.output).not.toMatch(/forbidden/i);
  }, 240_000);

  it('cannot place rooms when the chart lacks a rule it needs, and says so in the status', async () => {
    const withoutAllocations = (rbac: KubeObject[]) => {
      const role = rbac.find((o) => o.kind === 'Role' && !o.metadata.name.endsWith('-leader-election'))!;
      role.rules = role.rules.filter((r: any) => !r.resources.includes('gameserverallocations'));
    };
    const inst = await install(withoutAllocations);
    const operator = await startOperator(inst);
    await startFleet(inst);
    await gameServersIn(admin, inst.gameNs, 'Ready', 1, 90_000);
    await createRoom(inst.gameNs, 'stuck');
    const stuck = await waitUntil(
      async () => {
        const room = await getRoom(inst.gameNs, 'stuck');
        return room.status?.conditions?.find((c: any) => c.type === 'Allocated')?.reason === 'Forbidden'
          ? room
          : null;
      },
      30_000,
      'a Forbidden condition',
    );
    expect(stuck.status.phase).toBe('Allocating');
    expect(stuck.status.conditions.find((c: any) => c.type === 'Allocated').message).toMatch(
      new RegExp(`may not create gameserverallocations.allocation.agones.dev in namespace ${inst.gameNs}`),
    );
    const events = await core.listNamespacedEvent({ namespace: inst.gameNs });
    expect(
      events.items.filter((e) => e.reason === 'Forbidden' && e.involvedObject.name === 'stuck'),
    ).toHaveLength(1);
    expect(operator.proc.output).toMatch(/allocation forbidden by RBAC/);
  }, 120_000);

  it('exports every metric the chart alerts on and charts in its dashboard', async () => {
    const inst = await install();
    const operator = await startOperator(inst);
    const server = await ServerProcess.start('metrics-check', { LOG_LEVEL: 'warn' });
    try {
      const exported = new Set<string>();
      for (const url of [`${operator.probeUrl}/metrics`, `${server.url}/metrics`]) {
        for (const [, name] of (await (await fetch(url)).text()).matchAll(/^# TYPE (\S+)/gm))
          exported.add(name!);
      }
      const { objects } = renderChart(cluster.helm, {
        namespace: 'gb',
        valuesFiles: [join(CHART, 'ci/production-values.yaml')],
      });
      const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
      const dashboard = objects.find((o) => o.metadata.labels?.grafana_dashboard === '1')!;
      const exprs = [
        ...rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => String(r.expr))),
        ...JSON.parse(dashboard.data['gamebuddies-rooms.json']).panels.flatMap((p: any) =>
          (p.targets ?? []).map((t: any) => String(t.expr)),
        ),
      ];
      const ours =
        /\b((?:gamebuddies|process|nodejs|controller_runtime|workqueue|leader_election)_[a-z0-9_]+)/g;
      const used = new Set(exprs.flatMap((e) => [...e.matchAll(ours)].map((m) => m[1]!)));
      expect(used.size).toBeGreaterThan(15);
      const missing = [...used].filter((name) => !exported.has(name.replace(/_(bucket|sum|count)$/, '')));
      expect(missing).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
