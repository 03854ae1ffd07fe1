import type { CloseReason, RoomSnapshot } from '@gamebuddies/protocol';
import { type RoomUpdate, snapshotFor, type GameRegistry, type Logger } from '@gamebuddies/rooms';
import { playerChannel, type GameServerIO } from './types.js';

/**
 * Turns saved room changes into Socket.IO events. Emits go through the adapter, so with the Redis
 * adapter they reach the room's players on every server.
 */
export class RoomBroadcaster {
  constructor(
    private readonly io: GameServerIO,
    private readonly games: GameRegistry,
    private readonly log: Logger,
  ) {}

  /**
   * The store says a room was deleted (by this server, another one, or the operator): this server's
   * sockets in it are told and let go. Each server tells only its own sockets.
   */
  readonly roomDeleted = (code: string, reason: CloseReason): void => {
    for (const plugin of this.games.list())
      this.io.of(`/${plugin.gameType}`).local.to(code).emit('room:closed', { reason });
    this.dropLocalSockets(code);
  };

  /** Disconnects this server's sockets in the room (it was deleted, or is now served elsewhere). */
  readonly dropLocalSockets = (code: string): void => {
    for (const plugin of this.games.list())
      this.io.of(`/${plugin.gameType}`).local.in(code).disconnectSockets(true);
  };

  readonly publish = ({ room, events }: RoomUpdate): void => {
    const plugin = this.games.get(room.gameType);
    if (!plugin) return;
    const nsp = this.io.of(`/${room.gameType}`);
    let stateChanged = false;
    // A join carries the members' new snapshots itself, so it is one frame per member, not two.
    let joined: { playerId: string; name: string } | null = null;
    for (const event of events) {
      switch (event.type) {
        case 'created':
          break;
        case 'closed':
          // Players are told by `roomDeleted`, on every server, whoever deleted the room.
          return;
        case 'chat':
          nsp.to(room.code).emit('chat:message', { message: event.message, version: room.version });
          break;
        case 'joined':
          joined = { playerId: event.playerId, name: event.name };
          stateChanged = true;
          break;
        case 'left': {
          const payload = {
            playerId: event.playerId,
            name: event.name,
            reason: event.reason,
            version: room.version,
          };
          nsp.to(room.code).emit('player:left', payload);
          if (event.reason === 'kicked') {
            nsp.to(playerChannel(event.playerId)).emit('room:closed', { reason: 'kicked' });
          }
          // The seat is gone: a socket still holding it has nothing left to do in the room. A player who
          // left on purpose is disconnected by its own handler, after its ack.
          if (event.reason !== 'left') nsp.in(playerChannel(event.playerId)).disconnectSockets(true);
          stateChanged = true;
          break;
        }
        default:
          stateChanged = true;
      }
    }
    if (!stateChanged) return;
    // Each player gets their own view: hidden information is removed per player, server-side. Only
    // `game` differs between players' snapshots, and players whose views are equal get one emit to
    // all their channels: Socket.IO encodes a broadcast once, so a change costs one encode per
    // distinct view instead of one per player (see docs/performance.md).
    const groups = new Map<string, { snapshot: RoomSnapshot; channels: string[] }>();
    for (const player of room.players) {
      try {
        const snapshot = snapshotFor(room, plugin, { playerId: player.id, role: player.role });
        const key = String(JSON.stringify(snapshot.game));
        const group = groups.get(key);
        if (group) group.channels.push(playerChannel(player.id));
        else groups.set(key, { snapshot, channels: [playerChannel(player.id)] });
      } catch (error) {
        this.log.error({ err: error, room: room.code, gameType: room.gameType }, 'could not build a view');
      }
    }
    // The joining socket is in none of these channels yet: it gets `room:joined` when it is admitted.
    for (const { snapshot, channels } of groups.values()) {
      if (joined)
        nsp.to(channels).emit('player:joined', { ...joined, version: room.version, room: snapshot });
      else nsp.to(channels).emit('room:state', snapshot);
    }
  };
}
