import { AppError, RtcSignalPayload, describeZodError, toAppError, type Ack } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { GameMetrics } from '../metrics/gameMetrics.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { RoomService } from '../rooms/roomService.js';
import type { InflightTracker } from './inflight.js';
import { playerChannel, type GameNamespace, type GameSocket } from './types.js';

export interface RtcRelayDeps {
  service: RoomService;
  metrics: GameMetrics;
  inflight: InflightTracker;
  log: Logger;
}

/**
 * `rtc:signal { to, data }`: passes a WebRTC offer, answer or candidate batch to one other player of
 * the sender's room, for games whose players talk over peer-to-peer video. The room is read, never
 * written; delivery goes through the adapter's player channel, so the receiver may be on any server.
 */
export function attachRtcRelay(
  nsp: GameNamespace,
  socket: GameSocket,
  plugin: AnyGamePlugin,
  deps: RtcRelayDeps,
): void {
  const { service, metrics, inflight, log } = deps;
  socket.on('rtc:signal', (payload: unknown, ack: unknown) => {
    if (typeof ack !== 'function') {
      metrics.rejectedEvents.inc({ code: 'NO_ACK' });
      return;
    }
    const reply = ack as (response: Ack) => void;
    const fail = (error: AppError) => {
      metrics.rejectedEvents.inc({ code: error.code });
      reply({ ok: false, error: error.toBody() });
    };
    if (!plugin.relaysRtcSignals) {
      return fail(new AppError('INVALID_ACTION', `${plugin.displayName} does not relay WebRTC signals`));
    }
    // Signals share the socket's action budget: a relay must not become a free flooding channel.
    if (!socket.data.actions.take()) return fail(new AppError('RATE_LIMITED', 'Slow down'));
    const parsed = RtcSignalPayload.safeParse(payload);
    if (!parsed.success) return fail(new AppError('BAD_REQUEST', describeZodError(parsed.error)));
    const { roomCode, playerId } = socket.data;
    const { to, data } = parsed.data;
    if (to === playerId) return fail(new AppError('INVALID_ACTION', 'A signal goes to another player'));

    void inflight
      .run(() => service.getRoom(roomCode))
      .then(
        (room) => {
          if (!room.players.some((p) => p.id === playerId)) {
            return fail(new AppError('PLAYER_NOT_FOUND', 'You are no longer in this room'));
          }
          if (!room.players.some((p) => p.id === to)) {
            return fail(new AppError('PLAYER_NOT_FOUND', 'No such player in this room'));
          }
          nsp.to(playerChannel(to)).emit('rtc:signal', { from: playerId, data });
          reply({ ok: true, version: room.version });
        },
        (error: unknown) => {
          const appError = toAppError(error);
          if (appError.code === 'INTERNAL') log.error({ err: error, room: roomCode }, 'rtc relay failed');
          fail(appError);
        },
      );
  });
}
