import {
  AppError,
  type CreateRoomBody,
  type RoomLocation,
  type RoomSummary,
  type ServerSummary,
} from '@gamebuddies/protocol';
import type { RoomService, RoomStore } from '@gamebuddies/rooms';
import type { BackendRoom, CreateOptions, RoomsBackend } from '@gamebuddies/rooms-api';
import type { ResilientInformer } from '../controller/resilientInformer.js';
import type { GameRoom } from '../crd/gameRoom.generated.js';
import { addressOf, isServing, roomsOf, type GameServer } from '../kube/agonesTypes.js';
import { isNotFound, type KubeClients } from '../kube/clients.js';

export interface KubernetesBackendOptions {
  namespace: string;
  gameTypeLabel: string;
  roomsList: string;
  /** Set on every GameRoom made here: deleted this long after it finished. */
  ttlSecondsAfterFinished?: number;
}

/** GameRoom objects are named after their code, so the API finds a room without a search. */
export const gameRoomName = (code: string) => `room-${code.toLowerCase()}`;

/**
 * The Rooms API on a cluster: a room is created in the shared store (code and host token), then as a
 * GameRoom the operator places on an Agones GameServer; the API waits (bounded) for it to be Ready.
 */
export class KubernetesRoomsBackend implements RoomsBackend {
  constructor(
    private readonly kube: KubeClients,
    private readonly rooms: ResilientInformer<GameRoom>,
    private readonly gameServers: ResilientInformer<GameServer>,
    private readonly service: RoomService,
    private readonly store: RoomStore,
    private readonly options: KubernetesBackendOptions,
  ) {}

  async createRoom(input: CreateRoomBody, { waitMs }: CreateOptions): Promise<BackendRoom> {
    const { room, hostToken } = await this.service.createRoom(input);
    const name = gameRoomName(room.code);
    try {
      await this.kube.createGameRoom(this.options.namespace, {
        metadata: {
          name,
          labels: { 'gamebuddies.io/room-code': room.code, [this.options.gameTypeLabel]: input.gameType },
        },
        spec: {
          gameType: input.gameType,
          roomCode: room.code,
          // Without it a finished room's GameRoom would stay forever (GAMEROOM_TTL_SECONDS_AFTER_FINISHED).
          ...(this.options.ttlSecondsAfterFinished !== undefined
            ? { ttlSecondsAfterFinished: this.options.ttlSecondsAfterFinished }
            : {}),
          ...(input.hostName ? { hostName: input.hostName } : {}),
          ...(input.maxPlayers ? { maxPlayers: input.maxPlayers } : {}),
          ...(input.settings ? { settings: input.settings } : {}),
        },
      });
    } catch (error) {
      await this.store.deleteRoom(room.code).catch(() => undefined);
      throw error;
    }
    const placed = await this.waitFor(
      name,
      waitMs,
      (gr) => gr.status?.phase === 'Ready' || gr.status?.phase === 'Failed',
    );
    if (placed?.status?.phase === 'Failed') {
      const reason =
        placed.status.conditions?.find((c) => c.type === 'Ready')?.message ?? 'The room could not be placed';
      throw new AppError('NO_CAPACITY', reason);
    }
    const url = placed?.status?.phase === 'Ready' ? (placed.status.url ?? null) : null;
    const server =
      url && placed?.status?.gameServer?.name ? { id: placed.status.gameServer.name, url } : null;
    return {
      roomCode: room.code,
      gameType: room.gameType,
      hostToken,
      url,
      server,
      createdAt: new Date(room.createdAt).toISOString(),
      phase: placed?.status?.phase ?? 'Pending',
    };
  }

  async getRoom(code: string): Promise<RoomSummary> {
    const gr = this.find(code);
    const record = await this.store.loadRoom(code);
    if (!record) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    return {
      roomCode: code,
      gameType: record.gameType,
      url: gr.status?.phase === 'Ready' ? (gr.status.url ?? null) : null,
      players: record.players.length,
      maxPlayers: record.maxPlayers,
      phase: record.phase,
      createdAt: new Date(record.createdAt).toISOString(),
    };
  }

  async deleteRoom(code: string): Promise<void> {
    this.find(code);
    try {
      await this.kube.deleteGameRoom(this.options.namespace, gameRoomName(code));
    } catch (error) {
      if (isNotFound(error)) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
      throw error;
    }
    // The operator's finalizer closes the room; until then it must already look gone.
    await this.waitFor(gameRoomName(code), 5000, (gr) => Boolean(gr.metadata?.deletionTimestamp));
  }

  async listServers(gameType: string): Promise<ServerSummary[]> {
    this.service.pluginFor(gameType);
    const servers = this.gameServers
      .list(this.options.namespace)
      .filter((gs) => gs.metadata?.labels?.[this.options.gameTypeLabel] === gameType);
    return servers.map((gs) => {
      const list = gs.status?.lists?.[this.options.roomsList];
      const currentRooms = roomsOf(gs, this.options.roomsList).length;
      const maxRooms = list?.capacity ?? 0;
      const address = addressOf(gs);
      const state = gs.status?.state;
      return {
        id: gs.metadata!.name!,
        url: address ? `http://${address}` : '',
        health: isServing(gs) ? 'healthy' : state === 'Shutdown' ? 'draining' : 'unhealthy',
        load: maxRooms > 0 ? Math.round((currentRooms / maxRooms) * 100) : 100,
        currentRooms,
        maxRooms,
        players: gs.status?.counters?.players?.count ?? 0,
      };
    });
  }

  async locateRoom(code: string): Promise<RoomLocation> {
    const gr = this.find(code);
    const ready =
      gr.status?.phase === 'Ready'
        ? gr
        : await this.waitFor(gameRoomName(code), 10_000, (g) => g.status?.phase === 'Ready');
    if (!ready?.status?.url)
      throw new AppError('ROOM_NOT_READY', `Room ${code} is being placed on a server; try again`);
    return { roomCode: code, url: ready.status.url, namespace: `/${gr.spec.gameType}` };
  }

  /** The live GameRoom of a code (one being deleted counts as gone). */
  private find(code: string): GameRoom {
    const gr = this.rooms.get(gameRoomName(code), this.options.namespace);
    if (!gr || gr.metadata?.deletionTimestamp || gr.status?.phase === 'Finished') {
      throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    }
    return gr;
  }

  /** Waits on the informer cache (no polling of the API server) until `done` holds or time runs out. */
  private async waitFor(
    name: string,
    timeoutMs: number,
    done: (gr: GameRoom) => boolean,
  ): Promise<GameRoom | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const gr = this.rooms.get(name, this.options.namespace);
      if (gr && done(gr)) return gr;
      if (Date.now() >= deadline) return gr;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
