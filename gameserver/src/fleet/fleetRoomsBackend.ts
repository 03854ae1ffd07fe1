import type {
  CreateRoomBody,
  CreatedRoom,
  RoomLocation,
  RoomSummary,
  ServerSummary,
} from '@gamebuddies/protocol';
import type { BackendRoom, RoomsBackend } from '@gamebuddies/rooms-api';
import type { FleetMember } from './fleetMember.js';
import type { LocalFleet } from './localFleet.js';

/** The Rooms API over a local fleet: rooms are created on the least-loaded member. */
export class FleetRoomsBackend implements RoomsBackend {
  constructor(private readonly fleet: LocalFleet) {}

  async createRoom(input: CreateRoomBody): Promise<BackendRoom> {
    const member = this.fleet.leastLoaded();
    const { body } = await member.request<CreatedRoom>('POST', '/v1/rooms', input);
    this.fleet.remember(body.roomCode, member);
    member.noteRoomCreated();
    return {
      roomCode: body.roomCode,
      gameType: body.gameType,
      hostToken: body.hostToken,
      url: body.url,
      server: body.server,
      createdAt: body.createdAt,
      phase: body.phase,
    };
  }

  async getRoom(code: string): Promise<RoomSummary> {
    const member = await this.memberFor(code);
    return (await member.request<RoomSummary>('GET', `/v1/rooms/${code}`)).body;
  }

  async deleteRoom(code: string): Promise<void> {
    const member = await this.memberFor(code);
    await member.request('DELETE', `/v1/rooms/${code}`);
    this.fleet.forget(code);
  }

  async listServers(gameType: string): Promise<ServerSummary[]> {
    const answers = await Promise.all(
      this.fleet
        .live()
        .map((m) =>
          m.request<{ servers: ServerSummary[] }>('GET', `/v1/servers/${encodeURIComponent(gameType)}`),
        ),
    );
    return answers.flatMap((a) => a.body.servers);
  }

  async locateRoom(code: string): Promise<RoomLocation> {
    const holder = await this.fleet.holderOf(code);
    if (holder.gameType) {
      // Shared store: a room whose server is down is served by a live member until it is adopted.
      const url = holder.member?.alive ? holder.url : this.fleet.stableFor(code).url;
      return { roomCode: code, url, namespace: `/${holder.gameType}` };
    }
    const summary = await holder.member!.request<RoomSummary>('GET', `/v1/rooms/${code}`);
    return { roomCode: code, url: holder.url, namespace: `/${summary.body.gameType}` };
  }

  private memberFor(code: string): Promise<FleetMember> {
    return this.fleet.memberFor(code);
  }
}
