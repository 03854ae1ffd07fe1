import {
  AppError,
  type ConsoleActionName,
  type ConsoleOverview,
  type ConsoleRoomDetail,
  type ConsoleServer,
} from '@gamebuddies/protocol';
import type { GameRegistry } from '@gamebuddies/rooms';
import { StoreConsoleReader, type ConsoleSource } from '@gamebuddies/rooms-api';
import type { FleetMember } from './fleetMember.js';
import type { LocalFleet } from './localFleet.js';

const CONFIRMED = { confirm: true };

function memberServer(member: FleetMember): ConsoleServer {
  const status = member.health?.status;
  const health = !member.alive
    ? 'down'
    : status === 'draining'
      ? 'draining'
      : status === 'healthy'
        ? 'healthy'
        : 'degraded';
  return {
    id: member.id,
    url: member.url,
    health,
    rooms: member.health?.rooms ?? 0,
    players: member.health?.players ?? 0,
    load: null,
    draining: status === 'draining',
  };
}

/**
 * The console on the local fleet's router. With a shared store it reads the store (every room,
 * heartbeats) like any server does; without one each member is asked for its own rooms. Actions go
 * to the member that holds the room (or the one named), which runs them and broadcasts them.
 */
export class FleetConsoleSource implements ConsoleSource {
  private readonly reader: StoreConsoleReader | undefined;

  constructor(
    private readonly fleet: LocalFleet,
    games: GameRegistry,
  ) {
    const store = fleet.sharedStore;
    this.reader = store ? new StoreConsoleReader(store, games) : undefined;
  }

  async overview(): Promise<ConsoleOverview> {
    const known = this.fleet.members.map(memberServer);
    const actions: ConsoleActionName[] = ['close', 'kick', 'host', 'drain'];
    if (this.reader) {
      actions.push('move');
      return { at: Date.now(), ...(await this.reader.picture(known)), actions };
    }
    const answers = await Promise.all(
      this.fleet.live().map((m) =>
        m.request<ConsoleOverview>('GET', '/console/api/overview').then(
          (a) => a.body,
          () => null,
        ),
      ),
    );
    const rooms = answers.flatMap((a) => a?.rooms ?? []);
    for (const server of known) server.rooms = rooms.filter((r) => r.serverId === server.id).length;
    return { at: Date.now(), servers: known, rooms, truncated: answers.some((a) => a?.truncated), actions };
  }

  async room(code: string): Promise<ConsoleRoomDetail> {
    if (this.reader) return this.reader.room(code);
    const member = await this.fleet.memberFor(code);
    return (await member.request<ConsoleRoomDetail>('GET', `/console/api/rooms/${code}`)).body;
  }

  async close(code: string): Promise<void> {
    await this.onHolder(code, 'close', CONFIRMED);
    this.fleet.forget(code);
  }

  async kick(code: string, playerId: string): Promise<void> {
    await this.onHolder(code, 'kick', { ...CONFIRMED, playerId });
  }

  async setHost(code: string, playerId: string): Promise<void> {
    await this.onHolder(code, 'host', { ...CONFIRMED, playerId });
  }

  async move(code: string, serverId: string): Promise<void> {
    if (!this.reader) throw new AppError('INVALID_ACTION', 'Rooms move only with a shared store (REDIS_URL)');
    const member = this.fleet.byId(serverId);
    if (!member?.alive) throw new AppError('INVALID_ACTION', `Server ${serverId} is not running`);
    await member.request('POST', `/console/api/rooms/${code}/move`, { ...CONFIRMED, serverId });
  }

  async drain(serverId: string): Promise<void> {
    const member = this.fleet.byId(serverId);
    if (!member?.alive) throw new AppError('INVALID_ACTION', `Server ${serverId} is not running`);
    await member.request('POST', `/console/api/servers/${encodeURIComponent(serverId)}/drain`, CONFIRMED);
  }

  private async onHolder(code: string, action: string, body: object): Promise<void> {
    const member = await this.fleet.memberFor(code);
    await member.request('POST', `/console/api/rooms/${code}/${action}`, body);
  }
}
