import {
  AppError,
  type ConsoleRoomDetail,
  type ConsoleRoomRow,
  type ConsoleServer,
  type PlayerRole,
} from '@gamebuddies/protocol';
import {
  snapshotFor,
  type GameRegistry,
  type RoomRecord,
  type RoomStore,
  type RoomWithChat,
} from '@gamebuddies/rooms';

/** Rooms a console is sent at most: a console never loads a busy store with more. */
export const CONSOLE_MAX_ROOMS = 500;
const CHAT_SHOWN = 10;

export function roomRow(room: RoomRecord): ConsoleRoomRow {
  return {
    code: room.code,
    gameType: room.gameType,
    phase: room.phase,
    connected: room.players.filter((p) => p.connected).length,
    players: room.players.length,
    maxPlayers: room.maxPlayers,
    serverId: room.serverId,
    version: room.version,
    createdAt: room.createdAt,
    updatedAt: room.updatedAt,
  };
}

/** The room as the console shows it: seats, history, timers, moves, and what each role sees. */
export function roomDetail(room: RoomWithChat, games: GameRegistry): ConsoleRoomDetail {
  const plugin = games.get(room.gameType);
  const views: ConsoleRoomDetail['views'] = [];
  if (plugin) {
    // One viewer per role: the host's view and a player's, as their pages get them (never the raw state).
    const seen = new Set<PlayerRole>();
    for (const player of room.players) {
      if (seen.has(player.role)) continue;
      seen.add(player.role);
      try {
        const game = snapshotFor(room, plugin, { playerId: player.id, role: player.role }).game;
        views.push({ role: player.role, playerName: player.name, game });
      } catch {
        views.push({ role: player.role, playerName: player.name, game: null });
      }
    }
  }
  return {
    ...roomRow(room),
    url: room.url,
    hostId: room.hostId,
    settings: room.settings,
    seats: room.players.map((p) => ({
      id: p.id,
      name: p.name,
      role: p.role,
      connected: p.connected,
      serverId: p.serverId,
      joinedAt: p.joinedAt,
      disconnectedAt: p.disconnectedAt,
    })),
    views,
    log: [...(room.log ?? [])].reverse(),
    chat: room.chat.slice(-CHAT_SHOWN).map(({ name, text, at }) => ({ name, text, at })),
    timers: [...room.timers].sort((a, b) => a.fireAt - b.fireAt).map(({ key, fireAt }) => ({ key, fireAt })),
    moves: room.moves ?? [],
  };
}

/**
 * Reads the console's picture from a store: every room (up to CONSOLE_MAX_ROOMS), and the servers
 * from their heartbeats, the rooms naming them, and what this front knows of them itself (`known`:
 * its own process, the fleet's members).
 */
export class StoreConsoleReader {
  constructor(
    private readonly store: RoomStore,
    private readonly games: GameRegistry,
  ) {}

  async rooms(): Promise<{ rooms: RoomWithChat[]; truncated: boolean }> {
    const codes = await this.store.listRoomCodes();
    const loaded = await Promise.all(codes.slice(0, CONSOLE_MAX_ROOMS).map((c) => this.store.loadRoom(c)));
    return {
      rooms: loaded.filter((r): r is RoomWithChat => r !== null),
      truncated: codes.length > CONSOLE_MAX_ROOMS,
    };
  }

  async picture(known: readonly ConsoleServer[]): Promise<{
    servers: ConsoleServer[];
    rooms: ConsoleRoomRow[];
    truncated: boolean;
  }> {
    const [{ rooms, truncated }, live] = await Promise.all([this.rooms(), this.store.liveServers()]);
    return { servers: mergeServers(known, live, rooms), rooms: rooms.map(roomRow), truncated };
  }

  async room(code: string): Promise<ConsoleRoomDetail> {
    const room = await this.store.loadRoom(code);
    if (!room) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    return roomDetail(room, this.games);
  }
}

/**
 * One list of servers: those this front knows, those with a live heartbeat, and those rooms still
 * name (a server that died before its rooms moved shows as `down`). Rooms and players are counted
 * from the rooms themselves, so every front counts the same.
 */
export function mergeServers(
  known: readonly ConsoleServer[],
  live: ReadonlySet<string>,
  rooms: readonly RoomRecord[],
): ConsoleServer[] {
  const servers = new Map<string, ConsoleServer>();
  for (const server of known) servers.set(server.id, { ...server, rooms: 0, players: 0 });
  const ensure = (id: string, url: string | null): ConsoleServer => {
    let server = servers.get(id);
    if (!server) {
      server = {
        id,
        url,
        health: live.has(id) ? 'healthy' : 'down',
        rooms: 0,
        players: 0,
        load: null,
        draining: false,
      };
      servers.set(id, server);
    }
    server.url ??= url;
    return server;
  };
  for (const id of live) ensure(id, null);
  for (const room of rooms) {
    ensure(room.serverId, room.url).rooms++;
    for (const player of room.players) {
      if (player.connected && player.serverId) ensure(player.serverId, null).players++;
    }
  }
  return [...servers.values()].sort((a, b) => a.id.localeCompare(b.id));
}
