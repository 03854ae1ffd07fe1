import type { z } from 'zod';
import {
  ChatPayload,
  EmptyPayload,
  GameActionPayload,
  JoinAuth,
  PlayerTargetPayload,
  SettingsPayload,
  describeZodError,
  type ClientToServerEvents,
  type JoinErrorCode,
} from '@gamebuddies/protocol';
import { AppError, toAppError } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { GameMetrics } from '../metrics/gameMetrics.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { RoomRecord } from '../rooms/roomRecord.js';
import type { RoomService } from '../rooms/roomService.js';
import { snapshotFor } from '../rooms/snapshot.js';
import type { InflightTracker } from './inflight.js';
import { TokenBucket, type KeyedRateLimiter } from '@gamebuddies/rooms-api';
import { onAckedEvent } from './ackedEvent.js';
import { attachRtcRelay } from './rtcRelay.js';
import { playerChannel, type GameServerIO, type GameSocket } from './types.js';

export interface NamespaceDeps {
  service: RoomService;
  metrics: GameMetrics;
  log: Logger;
  inflight: InflightTracker;
  /** Failed joins per client address: room codes must not be guessable by trying them all. */
  joinFailures: KeyedRateLimiter;
  actionRatePerSec: number;
  actionBurst: number;
  trustProxy: boolean;
  /** Told when a room gains or loses a socket on this server (so someone runs the room). */
  presence: { connected(code: string): void; disconnected(code: string): void };
}

/** Join failures that count against the client's budget: guessing codes or tokens. */
const GUESSING: ReadonlySet<string> = new Set(['ROOM_NOT_FOUND', 'INVALID_TOKEN', 'BAD_REQUEST']);
const JOIN_CODES: ReadonlySet<string> = new Set<JoinErrorCode>([
  'ROOM_NOT_FOUND',
  'ROOM_FULL',
  'INVALID_TOKEN',
  'BAD_REQUEST',
  'RATE_LIMITED',
  'SERVER_DRAINING',
  'ROOM_MOVED',
  'STORE_UNAVAILABLE',
]);

/** A refused connection: the client sees `connect_error` with `message` = code and `data` = details. */
function joinError(error: AppError): Error & { data: unknown } {
  const code = JOIN_CODES.has(error.code) ? error.code : 'BAD_REQUEST';
  return Object.assign(new Error(code), { data: { code, message: error.message, ...error.data } });
}

function clientAddress(socket: GameSocket, trustProxy: boolean): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
  return socket.handshake.address;
}

/** The namespace `/<gameType>`: admission of players, then their events, each answered by an ack. */
export function attachGameNamespace(io: GameServerIO, plugin: AnyGamePlugin, deps: NamespaceDeps): void {
  const { service, metrics, log, inflight } = deps;
  const nsp = io.of(`/${plugin.gameType}`);

  nsp.use((socket, next) => {
    const started = performance.now();
    const address = clientAddress(socket, deps.trustProxy);
    const refuse = (error: AppError) => {
      metrics.joins.inc({ result: error.code });
      if (GUESSING.has(error.code)) deps.joinFailures.take(address);
      next(joinError(error));
    };
    if (service.isDraining) return refuse(new AppError('SERVER_DRAINING', 'This server is shutting down'));
    if (!deps.joinFailures.hasToken(address)) {
      return refuse(new AppError('RATE_LIMITED', 'Too many failed joins; wait a minute'));
    }
    const auth = JoinAuth.safeParse(socket.handshake.auth);
    if (!auth.success) return refuse(new AppError('BAD_REQUEST', describeZodError(auth.error)));

    void inflight
      .run(() =>
        service.join(auth.data.roomCode, {
          name: auth.data.name,
          token: auth.data.token,
          connectionId: socket.id,
          gameType: plugin.gameType,
        }),
      )
      .then(
        ({ room, player, sessionToken }) => {
          socket.data = {
            roomCode: room.code,
            playerId: player.id,
            role: player.role,
            sessionToken,
            actions: new TokenBucket(deps.actionRatePerSec, deps.actionBurst),
            welcomed: false,
          };
          // If the transport closes before the connection handler runs, nothing else frees the seat.
          socket.conn.once('close', () => {
            if (!socket.data.welcomed) releaseSeat(socket);
          });
          metrics.joins.inc({ result: 'ok' });
          metrics.playerJoin.observe((performance.now() - started) / 1000);
          next();
        },
        (error: unknown) => refuse(toAppError(error)),
      );
  });

  const releaseSeat = (socket: GameSocket) => {
    const { roomCode, playerId } = socket.data;
    void inflight
      .run(() => service.disconnect(roomCode, playerId, socket.id))
      .catch((error: unknown) => {
        const appError = toAppError(error);
        if (appError.code !== 'ROOM_NOT_FOUND')
          log.warn({ err: error, room: roomCode }, 'could not record a disconnect');
      });
  };

  nsp.on('connection', (socket) => {
    const { roomCode, playerId, sessionToken } = socket.data;
    socket.data.welcomed = true;
    metrics.connectedSockets.inc({ game_type: plugin.gameType });
    deps.presence.connected(roomCode);
    // A player has one live connection: an older one (another tab, a half-dead link) is dropped.
    nsp.in(playerChannel(playerId)).except(socket.id).disconnectSockets(true);
    void socket.join([roomCode, playerChannel(playerId)]);

    void service
      .getRoom(roomCode)
      .then((room) => {
        const player = room.players.find((p) => p.id === playerId);
        if (!player) return socket.disconnect(true);
        socket.data.role = player.role;
        socket.emit('room:joined', {
          roomCode,
          playerId,
          sessionToken,
          role: player.role,
          room: snapshotFor(room, plugin, { playerId, role: player.role }),
        });
      })
      .catch((error: unknown) => {
        log.warn({ err: error, room: roomCode }, 'could not welcome a player');
        socket.disconnect(true);
      });

    const on = <S extends z.ZodType>(
      event: keyof ClientToServerEvents,
      schema: S,
      handle: (payload: z.infer<S>) => Promise<RoomRecord>,
    ) => onAckedEvent(socket, deps, event, schema, handle);

    on('room:chat', ChatPayload, ({ text }) => service.chat(roomCode, playerId, text));
    on('game:action', GameActionPayload, (action) => service.act(roomCode, playerId, action));
    on('room:kick', PlayerTargetPayload, ({ playerId: target }) => service.kick(roomCode, playerId, target));
    on('room:transfer-host', PlayerTargetPayload, ({ playerId: target }) =>
      service.transferHost(roomCode, playerId, target),
    );
    on('room:settings', SettingsPayload, (settings) => service.updateSettings(roomCode, playerId, settings));
    on('room:return-to-lobby', EmptyPayload, () => service.returnToLobby(roomCode, playerId));
    on('room:leave', EmptyPayload, async () => {
      const room = await service.leave(roomCode, playerId);
      setImmediate(() => socket.disconnect(true));
      return room;
    });

    attachRtcRelay(nsp, socket, plugin, { service, metrics, inflight, log });

    socket.on('disconnect', () => {
      metrics.connectedSockets.dec({ game_type: plugin.gameType });
      deps.presence.disconnected(roomCode);
      releaseSeat(socket);
    });
  });
}
