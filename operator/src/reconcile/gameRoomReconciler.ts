import { AppError } from '@gamebuddies/protocol';
import { newRoomCode, type RoomRecord, type RoomService, type RoomStore } from '@gamebuddies/rooms';
import type { Histogram } from 'prom-client';
import type { Logger } from 'pino';
import type { ResilientInformer } from '../controller/resilientInformer.js';
import type { GameRoom, GameRoomStatus } from '../crd/gameRoom.generated.js';
import { addressOf, isServing, roomsOf, type GameServer } from '../kube/agonesTypes.js';
import { isConflict, isForbidden, isNotFound, type KubeClients } from '../kube/clients.js';
import type { EventRecorder } from '../kube/events.js';
import type { HostTokenSecrets } from '../kube/hostTokenSecrets.js';
import { allocationRequest, type AllocationPolicy } from './allocationRequest.js';
import { setCondition } from './conditions.js';
import { sameJson } from './sameJson.js';

export const FINALIZER = 'gamebuddies.io/room-cleanup';

export interface ReconcileResult {
  /** Reconcile this GameRoom again after this long (level-triggered refresh, retry of no capacity). */
  requeueAfterMs?: number;
}

export interface ReconcilerDeps {
  kube: KubeClients;
  rooms: ResilientInformer<GameRoom>;
  gameServers: ResilientInformer<GameServer>;
  service: RoomService;
  store: RoomStore;
  events: EventRecorder;
  hostTokens: HostTokenSecrets;
  policy: AllocationPolicy;
  refreshMs: number;
  allocationDuration: Histogram;
  /** A room became Ready for the first time (GameBuddies' room.ready webhook). */
  onReady?: (room: GameRoom, status: GameRoomStatus) => void;
  log: Logger;
}

const NO_CAPACITY_RETRY_MS = 3000;
/** RBAC changes by hand (or a chart upgrade): retried, but not often enough to flood the API server. */
const FORBIDDEN_RETRY_MS = 15_000;
const PERMANENT = new Set(['INVALID_SETTINGS', 'UNKNOWN_GAME_TYPE', 'BAD_REQUEST', 'CONFLICT']);

/**
 * Brings one GameRoom to where its spec says it should be. Level-triggered and idempotent: it reads
 * the world (the GameRoom, the room in the store, the GameServers), decides, and writes the status
 * once. Running it twice, or after a crash at any point, gives the same result.
 */
export class GameRoomReconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const room = this.deps.rooms.get(name, namespace);
    if (!room) return {};
    const meta = room.metadata!;
    if (meta.deletionTimestamp) return this.finalize(room);

    // Set-up comes first, in one write (finalizer, and the room code written to the spec once — the
    // CRD makes it immutable — before anything uses it, so a crash can never leave a room in the store
    // under a code the GameRoom does not know). The update event brings the room back here.
    const needsFinalizer = !(meta.finalizers ?? []).includes(FINALIZER);
    if (needsFinalizer || !room.spec.roomCode) {
      await this.deps.kube.patchGameRoom(namespace, name, meta.resourceVersion!, {
        ...(needsFinalizer ? { metadata: { finalizers: [...(meta.finalizers ?? []), FINALIZER] } } : {}),
        ...(room.spec.roomCode ? {} : { spec: { roomCode: newRoomCode() } }),
      });
      return {};
    }
    const code = room.spec.roomCode;
    const previous = room.status ?? {};
    let status: GameRoomStatus = {
      ...previous,
      roomCode: code,
      phase: previous.phase ?? 'Pending',
      observedGeneration: meta.generation,
    };

    if (status.phase === 'Finished' || status.phase === 'Failed') {
      await this.writeStatus(room, status);
      return this.expireAfterFinish(room, status);
    }

    const record = await this.ensureRecord(room, code, status);
    if ('failed' in record) {
      status = record.failed;
      await this.writeStatus(room, status);
      return {};
    }
    if ('ended' in record) {
      status = {
        ...status,
        phase: 'Finished',
        finishedAt: new Date().toISOString(),
        conditions: setCondition(
          status.conditions,
          {
            type: 'Ready',
            status: 'False',
            reason: 'RoomEnded',
            message: 'The room was closed on its game server',
          },
          meta.generation,
        ),
      };
      this.deps.events.record(room, 'Normal', 'Finished', `Room ${code} ended`);
      await this.writeStatus(room, status);
      return this.expireAfterFinish(room, status);
    }
    status.players = record.room.players.length;

    const placed = await this.place(room, code, status);
    status = placed.status;
    await this.writeStatus(room, status);
    // Told once the status says so: a move whose status write failed is found again on the new List.
    const from = previous.gameServer?.name;
    const to = status.gameServer?.name;
    if (from && to && from !== to)
      this.deps.events.record(room, 'Normal', 'Moved', `Room ${code} moved from ${from} to ${to}`);
    if (status.phase === 'Ready' && previous.phase !== 'Ready' && !previous.gameServer)
      this.deps.onReady?.(room, status);
    return placed.requeueAfterMs !== undefined
      ? { requeueAfterMs: placed.requeueAfterMs }
      : { requeueAfterMs: this.deps.refreshMs };
  }

  /** The room in the store: created from the spec if missing, unless it already ran and ended. */
  private async ensureRecord(
    room: GameRoom,
    code: string,
    status: GameRoomStatus,
  ): Promise<{ room: RoomRecord } | { ended: true } | { failed: GameRoomStatus }> {
    const existing = await this.deps.store.loadRoom(code);
    if (existing) return { room: existing };
    // A room that was placed and is now gone from the store was closed where it ran.
    if (status.phase === 'Ready') return { ended: true };
    try {
      const { room: created, hostToken } = await this.deps.service.createRoom(
        {
          gameType: room.spec.gameType,
          ...(room.spec.hostName ? { hostName: room.spec.hostName } : {}),
          ...(room.spec.maxPlayers ? { maxPlayers: room.spec.maxPlayers } : {}),
          ...(room.spec.settings ? { settings: room.spec.settings } : {}),
        },
        { code },
      );
      // Created outside the Rooms API (kubectl): the host token goes where only admins can read it.
      // Without it nobody could ever host the room, so a room whose token was not kept is undone.
      await this.deps.hostTokens.save(room, code, hostToken).catch(async (error: unknown) => {
        await this.deps.store.deleteRoom(code);
        throw error;
      });
      this.deps.events.record(room, 'Normal', 'RoomCreated', `Room ${code} created`);
      return { room: created };
    } catch (error) {
      if (error instanceof AppError && PERMANENT.has(error.code)) {
        this.deps.events.record(room, 'Warning', 'InvalidSpec', error.message);
        return {
          failed: {
            ...status,
            phase: 'Failed',
            finishedAt: new Date().toISOString(),
            conditions: setCondition(
              status.conditions,
              {
                type: 'Ready',
                status: 'False',
                reason: error.code === 'CONFLICT' ? 'CodeInUse' : 'InvalidSpec',
                message: error.message,
              },
              room.metadata!.generation,
            ),
          },
        };
      }
      throw error;
    }
  }

  /** Finds the room's GameServer, or allocates one: the room stays where it is while its server serves. */
  private async place(
    room: GameRoom,
    code: string,
    status: GameRoomStatus,
  ): Promise<{ status: GameRoomStatus; requeueAfterMs?: number }> {
    const generation = room.metadata!.generation;
    const namespace = room.metadata!.namespace!;
    let holder = this.currentHolder(namespace, code, status);
    let moved = false;
    if (!holder) {
      // Allocation is not idempotent (agones#607): ask the API server itself, not the cache, whether
      // an earlier allocation (before a crash, or not yet in the cache) already placed this code.
      holder = (
        await this.deps.kube.listGameServers(
          namespace,
          `${this.deps.policy.gameTypeLabel}=${room.spec.gameType}`,
        )
      ).items.find((gs) => isServing(gs) && roomsOf(gs, this.deps.policy.roomsList).includes(code));
    }
    const previous = status.gameServer?.name;
    // Already on another server's List: allocated there before a status write that did not land (a
    // crash, a conflict). Still a move, counted by the status write that first names the new server.
    if (holder && previous && holder.metadata?.name !== previous) moved = true;
    if (!holder) {
      moved = Boolean(previous);
      const started = performance.now();
      let allocation;
      try {
        allocation = await this.deps.kube.allocate(
          namespace,
          allocationRequest(room.spec.gameType, code, this.deps.policy),
        );
      } catch (error) {
        if (!isForbidden(error)) throw error;
        return this.forbidden(room, status, generation, error);
      }
      const state = allocation.status?.state ?? 'UnAllocated';
      this.deps.allocationDuration.observe({ result: state }, (performance.now() - started) / 1000);
      if (state !== 'Allocated' || !allocation.status?.gameServerName) {
        const contention = state === 'Contention';
        if (!contention && status.conditions?.find((c) => c.type === 'Allocated')?.reason !== 'NoCapacity') {
          this.deps.events.record(
            room,
            'Warning',
            'NoCapacity',
            `No ${room.spec.gameType} GameServer has a free room slot`,
          );
        }
        return {
          status: {
            ...status,
            phase: 'Allocating',
            conditions: setCondition(
              status.conditions,
              contention
                ? {
                    type: 'Allocated',
                    status: 'False',
                    reason: 'Contention',
                    message: 'Allocation raced another; retrying',
                  }
                : {
                    type: 'Allocated',
                    status: 'False',
                    reason: 'NoCapacity',
                    message: `No GameServer labelled ${this.deps.policy.gameTypeLabel}=${room.spec.gameType} has a free room slot; retrying`,
                  },
              generation,
            ),
          },
          requeueAfterMs: contention ? 200 : NO_CAPACITY_RETRY_MS,
        };
      }
      holder = {
        metadata: { name: allocation.status.gameServerName, namespace },
        status: {
          state: 'Allocated',
          ...(allocation.status.address ? { address: allocation.status.address } : {}),
          ...(allocation.status.ports ? { ports: allocation.status.ports } : {}),
          ...(allocation.status.nodeName ? { nodeName: allocation.status.nodeName } : {}),
        },
      };
      if (!moved) {
        this.deps.events.record(
          room,
          'Normal',
          'Allocated',
          `Room ${code} placed on ${allocation.status.gameServerName}`,
        );
      }
    }
    const address = addressOf(holder);
    let conditions = setCondition(
      status.conditions,
      {
        type: 'Allocated',
        status: 'True',
        reason: 'Allocated',
        message: `On GameServer ${holder.metadata!.name}`,
      },
      generation,
    );
    conditions = setCondition(
      conditions,
      { type: 'Ready', status: 'True', reason: 'Ready', message: 'Players can join' },
      generation,
    );
    return {
      status: {
        ...status,
        phase: 'Ready',
        ...(address ? { address, url: `http://${address}` } : {}),
        gameServer: {
          name: holder.metadata!.name!,
          namespace,
          ...(holder.status?.nodeName ? { nodeName: holder.status.nodeName } : {}),
        },
        failovers: (status.failovers ?? 0) + (moved ? 1 : 0),
        conditions,
      },
    };
  }

  /**
   * The serving GameServer that holds the room: the one named in the status (its list may not be in
   * the cache yet right after an allocation), else any serving one whose rooms List has the code.
   */
  /**
   * Agones refused the allocation because RBAC does not let this operator create
   * GameServerAllocations there: a condition that names the missing permission, one Warning event,
   * and a slow retry (the permission may be granted later).
   */
  private forbidden(
    room: GameRoom,
    status: GameRoomStatus,
    generation: number | undefined,
    error: unknown,
  ): { status: GameRoomStatus; requeueAfterMs: number } {
    const namespace = room.metadata!.namespace!;
    const message = `The operator may not create gameserverallocations.allocation.agones.dev in namespace ${namespace} (RBAC); grant it, as the chart's Role does`;
    if (status.conditions?.find((c) => c.type === 'Allocated')?.reason !== 'Forbidden') {
      this.deps.events.record(room, 'Warning', 'Forbidden', message);
      this.deps.log.error(
        { namespace, gameRoom: room.metadata!.name, err: error },
        'allocation forbidden by RBAC',
      );
    }
    return {
      status: {
        ...status,
        phase: 'Allocating',
        conditions: setCondition(
          status.conditions,
          { type: 'Allocated', status: 'False', reason: 'Forbidden', message },
          generation,
        ),
      },
      requeueAfterMs: FORBIDDEN_RETRY_MS,
    };
  }

  private currentHolder(namespace: string, code: string, status: GameRoomStatus): GameServer | undefined {
    const named = status.gameServer?.name
      ? this.deps.gameServers.get(status.gameServer.name, namespace)
      : undefined;
    if (named && isServing(named)) return named;
    return this.deps.gameServers
      .list(namespace)
      .find((gs) => gs !== named && isServing(gs) && roomsOf(gs, this.deps.policy.roomsList).includes(code));
  }

  /** Deletion: close the room, free its slot on the GameServer, then let the GameRoom go. */
  private async finalize(room: GameRoom): Promise<ReconcileResult> {
    const meta = room.metadata!;
    if (!(meta.finalizers ?? []).includes(FINALIZER)) return {};
    const code = room.spec.roomCode;
    if (code) {
      // The store first: the deletion is announced to every game server sharing it, which tells the
      // room's players; then the slot on the GameServer is freed.
      await this.deps.service.closeRoom(code, 'deleted').catch((error: unknown) => {
        if (!(error instanceof AppError && error.code === 'ROOM_NOT_FOUND')) throw error;
      });
      const servers = await this.deps.kube.listGameServers(meta.namespace!);
      for (const gs of servers.items) {
        if (roomsOf(gs, this.deps.policy.roomsList).includes(code)) await this.removeFromList(gs, code);
      }
    }
    try {
      await this.deps.kube.patchGameRoom(meta.namespace!, meta.name!, meta.resourceVersion!, {
        metadata: { finalizers: (meta.finalizers ?? []).filter((f) => f !== FINALIZER) },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return {};
  }

  private async removeFromList(gs: GameServer, code: string): Promise<void> {
    let current = gs;
    for (let attempt = 0; attempt < 5; attempt++) {
      const values = roomsOf(current, this.deps.policy.roomsList);
      if (!values.includes(code)) return;
      try {
        await this.deps.kube.setGameServerListValues(
          current,
          this.deps.policy.roomsList,
          values.filter((v) => v !== code),
        );
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        // 409/422: the GameServer changed under us (the test op failed): read it again.
        if (!isConflict(error) && (error as { code?: number }).code !== 422) throw error;
        current = await this.deps.kube.getGameServer(gs.metadata!.namespace!, gs.metadata!.name!);
      }
    }
    throw new Error(`could not remove room ${code} from GameServer ${gs.metadata!.name}`);
  }

  /** Finished (or failed) rooms are deleted `ttlSecondsAfterFinished` after they finished. */
  private async expireAfterFinish(room: GameRoom, status: GameRoomStatus): Promise<ReconcileResult> {
    const ttl = room.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || !status.finishedAt) return {};
    const due = Date.parse(status.finishedAt) + ttl * 1000 - Date.now();
    if (due > 0) return { requeueAfterMs: due };
    try {
      await this.deps.kube.deleteGameRoom(room.metadata!.namespace!, room.metadata!.name!);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return {};
  }

  /** One status write per reconcile, and none when nothing changed. */
  private async writeStatus(room: GameRoom, status: GameRoomStatus): Promise<void> {
    if (sameJson(room.status ?? {}, status)) return;
    const meta = room.metadata!;
    await this.deps.kube.patchGameRoomStatus(meta.namespace!, meta.name!, meta.resourceVersion!, status);
  }
}
