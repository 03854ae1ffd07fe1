import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  VersionApi,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { applyCrds, GAMEROOM_CRD } from './crds.js';
import { allocate, createFleet, gameServersIn, getGameServer } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { waitUntil } from '../helpers/wait.js';

const cluster = testCluster();
const admin = cluster.admin();
const namespace = `t-${randomBytes(3).toString('hex')}`;
const gr = { group: 'gamebuddies.io', version: 'v1alpha1', plural: 'gamerooms' };

beforeAll(async () => {
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});

describe('the test control plane', () => {
  it('is a real kube-apiserver of the pinned version', async () => {
    const version = await admin.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.34.4');
  });

  it('establishes a CRD, serves its objects, watches them, and updates their status subresource', async () => {
    expect(await applyCrds(cluster.kubectl, cluster.kubeconfigPath, GAMEROOM_CRD)).toEqual([
      'gamerooms.gamebuddies.io',
    ]);
    const custom = admin.makeApiClient(CustomObjectsApi);
    const seen: string[] = [];
    let watch: AbortController | undefined;
    // A watch on a just-established CRD is refused with 429 while its watch cache initialises; like
    // an informer, try again.
    const startWatch = async (): Promise<void> => {
      watch = await new Watch(admin).watch(
        `/apis/gamebuddies.io/v1alpha1/namespaces/${namespace}/gamerooms`,
        {},
        (phase, obj: { metadata: { name: string }; status?: { phase?: string } }) =>
          seen.push(`${phase} ${obj.metadata.name} ${obj.status?.phase ?? '-'}`),
        (error: unknown) => {
          if (error && String(error).includes('Too Many Requests')) setTimeout(() => void startWatch(), 200);
        },
      );
    };
    await startWatch();
    await new Promise((r) => setTimeout(r, 1500));
    try {
      await custom.createNamespacedCustomObject({
        ...gr,
        namespace,
        body: {
          apiVersion: 'gamebuddies.io/v1alpha1',
          kind: 'GameRoom',
          metadata: { name: 'watched' },
          spec: { gameType: 'rps', settings: { rounds: 2, anything: { nested: true } } },
        },
      });
      const created = (await custom.getNamespacedCustomObject({ ...gr, namespace, name: 'watched' })) as any;
      // settings is free-form: unknown fields are kept, not pruned.
      expect(created.spec.settings).toEqual({ rounds: 2, anything: { nested: true } });

      await custom.patchNamespacedCustomObjectStatus(
        { ...gr, namespace, name: 'watched', body: { status: { phase: 'Ready', players: 3 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      // A status write through the main resource is ignored: status is a subresource.
      await custom.patchNamespacedCustomObject(
        { ...gr, namespace, name: 'watched', body: { status: { phase: 'Failed' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const updated = (await custom.getNamespacedCustomObject({ ...gr, namespace, name: 'watched' })) as any;
      expect(updated.status).toEqual({ phase: 'Ready', players: 3 });
      await waitUntil(() => seen.includes('MODIFIED watched Ready'));
      expect(seen[0]).toBe('ADDED watched -');
    } finally {
      watch?.abort();
    }
  });

  it('validates GameRooms against the CRD schema', async () => {
    const custom = admin.makeApiClient(CustomObjectsApi);
    const body = (spec: object, name: string) => ({
      apiVersion: 'gamebuddies.io/v1alpha1',
      kind: 'GameRoom',
      metadata: { name },
      spec,
    });
    await expect(
      custom.createNamespacedCustomObject({
        ...gr,
        namespace,
        body: body({ gameType: 'rps', roomCode: 'ABC' }, 'bad-code'),
      }),
    ).rejects.toMatchObject({ code: 422 });
    await expect(
      custom.createNamespacedCustomObject({
        ...gr,
        namespace,
        body: body({ gameType: 'rps', maxPlayers: 500 }, 'too-many'),
      }),
    ).rejects.toMatchObject({ code: 422 });
    await custom.createNamespacedCustomObject({
      ...gr,
      namespace,
      body: body({ gameType: 'rps', roomCode: 'ABCDEF' }, 'fixed'),
    });
    await expect(
      custom.patchNamespacedCustomObject(
        { ...gr, namespace, name: 'fixed', body: { spec: { roomCode: 'GHJKMN' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ).rejects.toMatchObject({ code: 422 });
  });

  it('enforces RBAC: a ServiceAccount without rights is denied, one with a role is allowed', async () => {
    const path = await cluster.serviceAccountKubeconfig(namespace, 'nobody');
    const nobody = new KubeConfig();
    nobody.loadFromFile(path);
    await expect(nobody.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace })).rejects.toMatchObject({
      code: 403,
    });

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'nobody-reads-secrets' },
        subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
      },
    });
    await waitUntil(async () => {
      try {
        await nobody.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace });
        return true;
      } catch {
        return false;
      }
    });
  });
});

describe('Agones v1.60.0 on the test control plane (kwok nodes, real controller, sidecar and allocator)', () => {
  let live: LiveGameServers;
  const agonesNs = `ag-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: agonesNs } } });
    // Only Agones' sidecar, driven through its REST API: a game server would remove the codes these
    // raw allocations add, as it has no rooms for them (operator.test.ts runs the game server).
    live = await LiveGameServers.start(cluster, agonesNs, {}, { sidecarOnly: true });
  });
  afterAll(async () => {
    await live?.stop();
  });

  it("takes a Fleet's GameServers through Scheduled (node address, port) to Ready through the real sidecar", async () => {
    await createFleet(admin, agonesNs, 'rps', { replicas: 2, labels: { game: 'rps' }, roomsCapacity: 3 });
    const ready = await gameServersIn(admin, agonesNs, 'Ready', 2, 90_000);
    for (const gs of ready) {
      expect(cluster.nodeAddresses).toContain(gs.status.address);
      expect(gs.status.nodeName).toMatch(/^kwok-node-/);
      expect(gs.status.ports[0].port).toBeGreaterThanOrEqual(27000);
      expect(live.url(gs.metadata.name)).toBe(`http://${gs.status.address}:${gs.status.ports[0].port}`);
      expect(gs.status.lists.rooms).toMatchObject({ capacity: 3 });
    }
    const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: agonesNs });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
  }, 120_000);

  it('follows the high-density pattern: an Allocated server with room first, then a Ready one', async () => {
    const labels = { game: 'rps' };
    const request = (code: string) => ({
      selectors: [
        { matchLabels: labels, gameServerState: 'Allocated', lists: { rooms: { minAvailable: 1 } } },
        { matchLabels: labels, gameServerState: 'Ready', lists: { rooms: { minAvailable: 1 } } },
      ],
      lists: { rooms: { addValues: [code] } },
    });
    const placed: string[] = [];
    for (const code of ['AAAAAA', 'BBBBBB', 'CCCCCC', 'DDDDDD']) {
      const result = await allocate(admin, agonesNs, request(code));
      expect(result.status.state).toBe('Allocated');
      placed.push(result.status.gameServerName);
    }
    // The first server fills up (capacity 3) before the second is used.
    expect(placed.slice(0, 3).every((name) => name === placed[0])).toBe(true);
    expect(placed[3]).not.toBe(placed[0]);
    const first = await getGameServer(admin, agonesNs, placed[0]!);
    expect(first.status.state).toBe('Allocated');
    expect(first.status.lists.rooms.values).toEqual(['AAAAAA', 'BBBBBB', 'CCCCCC']);
    await allocate(admin, agonesNs, request('EEEEEE'));
    await allocate(admin, agonesNs, request('FFFFFF'));
    const full = await allocate(admin, agonesNs, request('GGGGGG'));
    expect(full.status.state).toBe('UnAllocated');
  }, 60_000);

  it('refuses an allocation to a caller without RBAC rights to create gameserverallocations', async () => {
    const path = await cluster.serviceAccountKubeconfig(agonesNs, 'no-allocations');
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    await expect(allocate(kc, agonesNs, { selectors: [{}] })).rejects.toMatchObject({ code: 403 });
  });
});
