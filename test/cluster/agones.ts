import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

export interface TestGameServerOptions {
  labels?: Record<string, string>;
  /** Capacity of the `rooms` List (MAX_ROOMS of the game server). */
  roomsCapacity?: number;
  rooms?: string[];
  state?: 'Ready' | 'Allocated' | 'Unhealthy' | 'Shutdown';
  port?: number;
  address?: string;
}

/**
 * A GameServer as Agones' SDK server leaves it once the game server called Ready(): created, then
 * its status written (GameServer status is part of the object in Agones, not a subresource).
 */
export async function createGameServer(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: TestGameServerOptions = {},
) {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const target = { group: 'agones.dev', version: 'v1', namespace, plural: 'gameservers' };
  const capacity = options.roomsCapacity ?? 10;
  const created = (await custom.createNamespacedCustomObject({
    ...target,
    body: {
      apiVersion: 'agones.dev/v1',
      kind: 'GameServer',
      // Accepting rooms, as the chart's Fleet template makes them (the operator selects on it).
      metadata: { name, labels: { 'gamebuddies.io/accepting': 'true', ...options.labels } },
      spec: { lists: { rooms: { capacity } }, ports: [{ name: 'default', containerPort: 3000 }] },
    },
  })) as any;
  created.status = {
    state: options.state ?? 'Ready',
    address: options.address ?? '127.0.0.1',
    ports: [{ name: 'default', port: options.port ?? 7000 + Math.floor(Math.random() * 1000) }],
    nodeName: 'test-node',
    lists: { rooms: { capacity, values: options.rooms ?? [] } },
    counters: { players: { count: 0, capacity: 1000 } },
  };
  return custom.replaceNamespacedCustomObject({ ...target, name, body: created }) as Promise<any>;
}

export async function getGameServer(kc: KubeConfig, namespace: string, name: string): Promise<any> {
  return kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'agones.dev',
    version: 'v1',
    namespace,
    plural: 'gameservers',
    name,
  });
}

/** Changes a GameServer's status (a crash: Unhealthy; a drain: Shutdown), as its sidecar would. */
export async function setGameServerState(
  kc: KubeConfig,
  namespace: string,
  name: string,
  state: string,
): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (let attempt = 0; attempt < 5; attempt++) {
    const gs = await getGameServer(kc, namespace, name);
    gs.status.state = state;
    try {
      await custom.replaceNamespacedCustomObject({
        group: 'agones.dev',
        version: 'v1',
        namespace,
        plural: 'gameservers',
        name,
        body: gs,
      });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}

/** POST a GameServerAllocation (create-only, answered by the allocator behind the aggregation layer). */
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
