import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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
import { applyCrds } from './crds.js';
import { createGameServer, allocate } from './agones.js';
import { waitUntil } from '../helpers/wait.js';

const cluster = testCluster();
const admin = cluster.admin();
const namespace = `t-${randomBytes(3).toString('hex')}`;
const GAMEROOM_CRD = fileURLToPath(new URL('../../crds/gamerooms.gamebuddies.io.yaml', import.meta.url));
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

describe('Agones allocation on the test control plane (fake allocator, see fake-agones/README.md)', () => {
  it('moves a Ready GameServer to Allocated and adds the value to its list', async () => {
    await createGameServer(admin, namespace, 'gs-a', { labels: { game: 'rps' }, roomsCapacity: 3 });
    const result = await allocate(admin, namespace, {
      selectors: [{ matchLabels: { game: 'rps' } }],
      lists: { rooms: { addValues: ['K7QXM2'] } },
    });
    expect(result.status).toMatchObject({ state: 'Allocated', gameServerName: 'gs-a', address: '127.0.0.1' });
    expect(result.status.ports[0].port).toBeGreaterThan(0);
    const gs = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'agones.dev',
      version: 'v1',
      namespace,
      plural: 'gameservers',
      name: 'gs-a',
    })) as any;
    expect(gs.status.state).toBe('Allocated');
    expect(gs.status.lists.rooms.values).toEqual(['K7QXM2']);
  });

  it('follows the high-density pattern: Allocated servers with room first, then Ready ones; priorities order them', async () => {
    const labels = { game: 'clue' };
    await createGameServer(admin, namespace, 'clue-1', { labels, roomsCapacity: 2 });
    await createGameServer(admin, namespace, 'clue-2', { labels, roomsCapacity: 2 });
    const request = (code: string) => ({
      selectors: [
        { matchLabels: labels, gameServerState: 'Allocated', lists: { rooms: { minAvailable: 1 } } },
        { matchLabels: labels, gameServerState: 'Ready', lists: { rooms: { minAvailable: 1 } } },
      ],
      priorities: [{ type: 'List', key: 'rooms', order: 'Ascending' }],
      lists: { rooms: { addValues: [code] } },
    });
    const placed: string[] = [];
    for (const code of ['AAAAAA', 'BBBBBB', 'CCCCCC', 'DDDDDD']) {
      placed.push((await allocate(admin, namespace, request(code))).status.gameServerName);
    }
    // Packed: the first server fills up before the second is used.
    expect(placed).toEqual(['clue-1', 'clue-1', 'clue-2', 'clue-2']);
    const full = await allocate(admin, namespace, request('EEEEEE'));
    expect(full.status.state).toBe('UnAllocated');
  });

  it('refuses an allocation to a caller without RBAC rights to create gameserverallocations', async () => {
    const path = await cluster.serviceAccountKubeconfig(namespace, 'no-allocations');
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    await expect(allocate(kc, namespace, { selectors: [{}] })).rejects.toMatchObject({ code: 403 });
  });
});
