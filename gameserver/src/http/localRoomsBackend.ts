import type { RoomLocation, RoomSummary, ServerSummary } from '@gamebuddies/protocol';
import type { BackendRoom, RoomsBackend } from '@gamebuddies/rooms-api';
import { type RoomRecord, type RoomService, summaryOf } from '@gamebuddies/rooms';
export function backendRoom(room: RoomRecord, hostToken: string): BackendRoom {
  return {
    roomCode: room.code,
    gameType: room.gameType,
    hostToken,
    url: room.url,
    server: { id: room.serverId, url: room.url },
    createdAt: new Date(room.createdAt).toISOString(),
    phase: 'Ready',
  };
}

/** The Rooms API over this server's own rooms: a single process is a whole Phase 1 system. */
export class LocalRoomsBackend implements RoomsBackend {
  constructor(
    private readonly service: RoomService,
    private readonly thisServer: (gameType: string) => Promise<ServerSummary>,
  ) {}

  async createRoom(input: Parameters<RoomsBackend['createRoom']>[0]): Promise<BackendRoom> {
    const { room, hostToken } = await this.service.createRoom(input);
    return backendRoom(room, hostToken);
  }

  async getRoom(code: string): Promise<RoomSummary> {
    return summaryOf(await this.service.getRoom(code));
  }

  async deleteRoom(code: string): Promise<void> {
    await this.service.closeRoom(code, 'deleted');
  }

  async listServers(gameType: string): Promise<ServerSummary[]> {
    this.service.pluginFor(gameType);
    return [await this.thisServer(gameType)];
  }

  async locateRoom(code: string): Promise<RoomLocation> {
    const room = await this.service.getRoom(code);
    return { roomCode: room.code, url: room.url, namespace: `/${room.gameType}` };
  }
}
