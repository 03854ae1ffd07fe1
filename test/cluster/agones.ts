import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { waitUntil } from '../helpers/wait.js';

const GS = { group: 'agones.dev', version: 'v1', plural: 'gameservers' };

export interface TestFleetOptions {
  replicas?: number;
  labels?: Record<string, string>;
  /** Capacity of the `rooms` List (MAX_ROOMS of the game server). */
  roomsCapacity?: number;
  /** Seconds between the sidecar's health checks, and how many may fail before Unhealthy. */
  health?: { periodSeconds: number; failureThreshold: number; initialDelaySeconds?: number };
}

/**
 * A Fleet as the chart renders it (game-type label, `rooms` List, `players` Counter): Agones' real
 * controller makes its GameServerSet, GameServers and pods; kube-scheduler and kwok place and run
 * the pods; LiveGameServers runs the processes.
 */
export function fleet(name: string, options: TestFleetOptions = {}) {
  const capacity = options.roomsCapacity ?? 10;
  // Accepting rooms, as the chart's Fleet template makes them (the operator selects on it).
  const labels = { 'gamebuddies.io/accepting': 'true', ...options.labels };
  return {
    apiVersion: 'agones.dev/v1',
    kind: 'Fleet',
    metadata: { name, labels: options.labels ?? {} },
    spec: {
      replicas: options.replicas ?? 1,
      scheduling: 'Packed',
      allocationOverflow: { labels: { 'gamebuddies.io/accepting': 'false' } },
      template: {
        metadata: { labels },
        spec: {
          container: 'gameserver',
          ports: [{ name: 'http', portPolicy: 'Dynamic', containerPort: 3000, protocol: 'TCP' }],
          health: {
            initialDelaySeconds: options.health?.initialDelaySeconds ?? 2,
            periodSeconds: options.health?.periodSeconds ?? 2,
            failureThreshold: options.health?.failureThreshold ?? 3,
          },
          lists: { rooms: { capacity } },
          counters: { players: { count: 0, capacity: capacity * 100 } },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name: 'gameserver', image: 'ghcr.io/gamebuddies/rooms-gameserver:test' }],
            },
          },
        },
      },
    },
  };
}

export async function createFleet(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: TestFleetOptions = {},
): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'agones.dev',
    version: 'v1',
    namespace,
    plural: 'fleets',
    body: fleet(name, options),
  });
}

export async function scaleFleet(kc: KubeConfig, namespace: string, name: string, replicas: number) {
  await kc
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObject(
      { group: 'agones.dev', version: 'v1', namespace, plural: 'fleets', name, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

export async function listGameServers(kc: KubeConfig, namespace: string): Promise<any[]> {
  const list = (await kc
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ ...GS, namespace })) as { items: any[] };
  return list.items;
}

export async function getGameServer(kc: KubeConfig, namespace: string, name: string): Promise<any> {
  return kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...GS, namespace, name });
}

export async function deleteGameServer(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...GS, namespace, name });
}

/** Waits until `count` GameServers of the namespace are in `state` (Agones and the sidecars at work). */
export async function gameServersIn(
  kc: KubeConfig,
  namespace: string,
  state: string,
  count: number,
  timeoutMs = 60_000,
): Promise<any[]> {
  return waitUntil(
    async () => {
      const items = (await listGameServers(kc, namespace)).filter(
        (gs) => gs.status?.state === state && !gs.metadata.deletionTimestamp,
      );
      return items.length >= count ? items : null;
    },
    timeoutMs,
    `${count} GameServer(s) ${state} in ${namespace}`,
  );
}

/** POST a GameServerAllocation (create-only, answered by Agones' extensions behind the aggregation layer). */
export async function allocate(
  kc: KubeConfig,
  namespace: string,
  spec: Record<string, unknown>,
): Promise<any> {
  return kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'allocation.agones.dev',
    version: 'v1',
    namespace,
    plural: 'gameserverallocations',
    body: { apiVersion: 'allocation.agones.dev/v1', kind: 'GameServerAllocation', spec },
  });
}
