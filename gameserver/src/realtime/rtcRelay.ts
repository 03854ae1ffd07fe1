import { AppError, RtcSignalPayload } from '@gamebuddies/protocol';
import type { AnyGamePlugin, RoomService } from '@gamebuddies/rooms';
import { ackedEventListener, type AckedEventDeps, type SharedListener } from './ackedEvent.js';
import { playerChannel, type GameNamespace } from './types.js';

export interface RtcRelayDeps extends AckedEventDeps {
  service: RoomService;
}

/**
 * `rtc:signal { to, data }`: passes a WebRTC offer, answer or candidate batch to one other player of
 * the sender's room, for games whose players talk over peer-to-peer video. The room is read, never
 * written; delivery goes through the adapter's player channel, so the receiver may be on any server.
 * One listener for every socket of the namespace.
 */
export function rtcRelayListener(
  nsp: GameNamespace,
  plugin: AnyGamePlugin,
  deps: RtcRelayDeps,
): SharedListener {
  return ackedEventListener(deps, 'rtc:signal', RtcSignalPayload, async (socket, { to, data }) => {
    if (!plugin.relaysRtcSignals) {
      throw new AppError('INVALID_ACTION', `${plugin.displayName} does not relay WebRTC signals`);
    }
    const { roomCode, playerId } = socket.data;
    if (to === playerId) throw new AppError('INVALID_ACTION', 'A signal goes to another player');
    const room = await deps.service.getRoom(roomCode);
    if (!room.players.some((p) => p.id === playerId)) {
      throw new AppError('PLAYER_NOT_FOUND', 'You are no longer in this room');
    }
    if (!room.players.some((p) => p.id === to))
      throw new AppError('PLAYER_NOT_FOUND', 'No such player in this room');
    nsp.to(playerChannel(to)).emit('rtc:signal', { from: playerId, data });
    return room;
  });
}
