import type { WebhookSender } from '@gamebuddies/rooms-api';
import type { RoomUpdate } from '@gamebuddies/rooms';
export interface WebhookNotifierOptions {
  /**
   * Send `room.ready` when a room is created here. True where this server places rooms itself (one
   * process, a local fleet); in a cluster the operator announces readiness once a room is placed.
   */
  announceReady: boolean;
}

/**
 * Tells GameBuddies what happens in rooms (the seed's integration points). Runs on the server that
 * saved the change, so each event is sent once, whichever server the players are on. Never blocks:
 * the sender only queues.
 */
export function gameBuddiesWebhooks(sender: WebhookSender, options: WebhookNotifierOptions) {
  return ({ room, events }: RoomUpdate): void => {
    const roomCode = room.code;
    const players = () => room.players.map((p) => ({ playerId: p.id, name: p.name, role: p.role }));
    for (const event of events) {
      switch (event.type) {
        case 'created':
          if (options.announceReady) {
            sender.send('room.ready', {
              roomCode,
              gameType: room.gameType,
              url: room.url,
              serverId: room.serverId,
            });
          }
          break;
        case 'joined':
          sender.send('player.joined', { roomCode, playerId: event.playerId, name: event.name });
          break;
        case 'left':
          sender.send('player.left', {
            roomCode,
            playerId: event.playerId,
            name: event.name,
            reason: event.reason,
          });
          break;
        case 'disconnected':
        case 'rejoined':
          sender.send('player.status', {
            roomCode,
            playerId: event.playerId,
            connected: event.type === 'rejoined',
          });
          break;
        case 'phase':
          sender.send('room.phase_changed', { roomCode, from: event.from, to: event.to });
          break;
        case 'finished':
          sender.send('game.finished', {
            roomCode,
            gameType: room.gameType,
            results: room.results,
            players: players(),
          });
          break;
        case 'returned':
          sender.send('room.returned_to_lobby', { roomCode, players: players() });
          break;
        case 'closed':
          sender.send('room.closed', { roomCode, reason: event.reason });
          break;
        default:
          break;
      }
    }
  };
}
