import {
  ApiextensionsV1Api,
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import {
  GAMEROOM_GROUP,
  GAMEROOM_PLURAL,
  GAMEROOM_VERSION,
  type GameRoom,
  type GameRoomStatus,
} from '../crd/gameRoom.generated.js';
import {
  AGONES_GROUP,
  AGONES_VERSION,
  GAMESERVERS,
  type GameServer,
  type GameServerAllocation,
} from './agonesTypes.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, makeTimedApiClient } from './timedClient.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export const isConflict = (error: unknown) => (error as { code?: number }).code === 409;
export const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;
export const isForbidden = (error: unknown) => (error as { code?: number }).code === 403;

/** Typed calls on GameRooms, GameServers and allocations. */
export class KubeClients {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  private readonly apiextensions: ApiextensionsV1Api;
  private readonly apis: ApisApi;

  private readonly fence: { assert(): void } | undefined;

  /**
   * Every request is aborted after `requestTimeoutMs`. With a `fence`, every write asserts it first
   * (the leader's clients: a write from a term that has ended is refused before it is sent).
   */
  constructor(
    readonly kubeConfig: KubeConfig,
    options: { requestTimeoutMs?: number; fence?: { assert(): void } } = {},
  ) {
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.fence = options.fence;
    // Writes are checked twice: when asked for (the methods below) and again just before the bytes
    // go out, so a pause during the client's own asynchronous preparation cannot slip one through.
    const guard = options.fence ? () => options.fence!.assert() : undefined;
    this.custom = makeTimedApiClient(kubeConfig, CustomObjectsApi, timeout, guard);
    this.core = makeTimedApiClient(kubeConfig, CoreV1Api, timeout, guard);
    this.apiextensions = makeTimedApiClient(kubeConfig, ApiextensionsV1Api, timeout);
    this.apis = makeTimedApiClient(kubeConfig, ApisApi, timeout);
  }

  /** Throws NotLeaderError when this replica's leadership term has ended (no-op without a fence). */
  assertLeading(): void {
    this.fence?.assert();
  }

  /** Fails with a sentence naming what is missing: the GameRoom CRD, Agones, or its allocator. */
  async checkPrerequisites(): Promise<void> {
    const missing: string[] = [];
    for (const [crd, hint] of [
      ['gamerooms.gamebuddies.io', 'install crds/ (or the chart with crds.install=true)'],
      ['gameservers.agones.dev', 'install Agones 1.60+'],
    ] as const) {
      try {
        await this.apiextensions.readCustomResourceDefinition({ name: crd });
      } catch (error) {
        if (isNotFound(error)) missing.push(`CustomResourceDefinition ${crd} is missing: ${hint}`);
        else throw error;
      }
    }
    const groups = await this.apis.getAPIVersions();
    if (!groups.groups.some((g) => g.name === 'allocation.agones.dev')) {
      missing.push(
        "API group allocation.agones.dev is not served: Agones' allocator (agones-extensions) is not running",
      );
    }
    if (missing.length) throw new Error(`The operator cannot run:\n  - ${missing.join('\n  - ')}`);
  }

  listGameRooms(namespace: string): Promise<KubernetesListObject<GameRoom>> {
    return this.custom.listNamespacedCustomObject({
      group: GAMEROOM_GROUP,
      version: GAMEROOM_VERSION,
      namespace,
      plural: GAMEROOM_PLURAL,
    }) as Promise<KubernetesListObject<GameRoom>>;
  }

  createGameRoom(namespace: string, room: GameRoom): Promise<GameRoom> {
    this.fence?.assert();
    return this.custom.createNamespacedCustomObject({
      group: GAMEROOM_GROUP,
      version: GAMEROOM_VERSION,
      namespace,
      plural: GAMEROOM_PLURAL,
      body: { apiVersion: `${GAMEROOM_GROUP}/${GAMEROOM_VERSION}`, kind: 'GameRoom', ...room },
    }) as Promise<GameRoom>;
  }

  deleteGameRoom(namespace: string, name: string): Promise<unknown> {
    this.fence?.assert();
    return this.custom.deleteNamespacedCustomObject({
      group: GAMEROOM_GROUP,
      version: GAMEROOM_VERSION,
      namespace,
      plural: GAMEROOM_PLURAL,
      name,
    });
  }

  /**
   * One write of the status subresource (merge patch), only if the GameRoom is still at
   * `resourceVersion`: a status computed from a stale cache must not overwrite a newer one (409).
   */
  patchGameRoomStatus(
    namespace: string,
    name: string,
    resourceVersion: string,
    status: GameRoomStatus,
  ): Promise<GameRoom> {
    this.fence?.assert();
    return this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GAMEROOM_GROUP,
        version: GAMEROOM_VERSION,
        namespace,
        plural: GAMEROOM_PLURAL,
        name,
        body: { metadata: { resourceVersion }, status },
      },
      mergePatch,
    ) as Promise<GameRoom>;
  }

  /** Merge patch of metadata/spec, failing with 409 if the object changed since `resourceVersion`. */
  patchGameRoom(
    namespace: string,
    name: string,
    resourceVersion: string,
    patch: Record<string, unknown>,
  ): Promise<GameRoom> {
    this.fence?.assert();
    const metadata = { ...((patch.metadata as object) ?? {}), resourceVersion };
    return this.custom.patchNamespacedCustomObject(
      {
        group: GAMEROOM_GROUP,
        version: GAMEROOM_VERSION,
        namespace,
        plural: GAMEROOM_PLURAL,
        name,
        body: { ...patch, metadata },
      },
      mergePatch,
    ) as Promise<GameRoom>;
  }

  listGameServers(namespace: string, labelSelector?: string): Promise<KubernetesListObject<GameServer>> {
    return this.custom.listNamespacedCustomObject({
      group: AGONES_GROUP,
      version: AGONES_VERSION,
      namespace,
      plural: GAMESERVERS,
      ...(labelSelector ? { labelSelector } : {}),
    }) as Promise<KubernetesListObject<GameServer>>;
  }

  getGameServer(namespace: string, name: string): Promise<GameServer> {
    return this.custom.getNamespacedCustomObject({
      group: AGONES_GROUP,
      version: AGONES_VERSION,
      namespace,
      plural: GAMESERVERS,
      name,
    }) as Promise<GameServer>;
  }

  /**
   * Replaces a GameServer list's values, only if the GameServer has not changed since it was read
   * (GameServer status is not a subresource: the object is patched, guarded by a JSON Patch test).
   */
  setGameServerListValues(gs: GameServer, list: string, values: string[]): Promise<GameServer> {
    this.fence?.assert();
    return this.custom.patchNamespacedCustomObject(
      {
        group: AGONES_GROUP,
        version: AGONES_VERSION,
        namespace: gs.metadata!.namespace!,
        plural: GAMESERVERS,
        name: gs.metadata!.name!,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: gs.metadata!.resourceVersion },
          { op: 'replace', path: `/status/lists/${list}/values`, value: values },
        ],
      },
      jsonPatch,
    ) as Promise<GameServer>;
  }

  allocate(namespace: string, allocation: GameServerAllocation): Promise<GameServerAllocation> {
    this.fence?.assert();
    return this.custom.createNamespacedCustomObject({
      group: 'allocation.agones.dev',
      version: 'v1',
      namespace,
      plural: 'gameserverallocations',
      body: allocation,
    }) as Promise<GameServerAllocation>;
  }
}
