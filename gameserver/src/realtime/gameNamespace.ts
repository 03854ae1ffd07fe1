import type { z } from 'zod';
import {
  ChatPayload,
  EmptyPayload,
  GameActionPayload,
  JoinAuth,
  PlayerTargetPayload,
  SettingsPayload,
  describeZodError,
  normalizeRoomCode,
  type ClientToServerEvents,
  type JoinErrorCode,
  AppError,
  toAppError,
} from '@gamebuddies/protocol';
import {
  type Logger,
  type AnyGamePlugin,
  type RoomRecord,
  type RoomService,
  snapshotFor,
} from '@gamebuddies/rooms';
import type { GameMetrics } from '../metrics/gameMetrics.js';
import type { InflightTracker } from './inflight.js';
import { clientAddress, TokenBucket, type GuessGuard, type TrustFunction } from '@gamebuddies/rooms-api';
import { ackedEventListener, type SharedListener } from './ackedEvent.js';
import { rtcRelayListener } from './rtcRelay.js';
import { playerChannel, type GameServerIO, type GameSocket } from './types.js';

export interface NamespaceDeps {
  service: RoomService;
  metrics: GameMetrics;
  log: Logger;
  inflight: InflightTracker;
  /** Failed joins spend the client address's budget: room codes must not be guessable. */
  guessGuard: GuessGuard;
  actionRatePerSec: number;
  actionBurst: number;
  /** TRUST_PROXY: which proxies may name the client in X-Forwarded-For. */
  trust: TrustFunction;
  /** Refuses a join before it is tried (ROOM_MOVED under Agones for a room assigned elsewhere). */
  admit?: (code: string) => Promise<void>;
  /** Told when a room gains or loses a socket on this server (so someone runs the room). */
  /** Which seats this server's sockets hold (the room's runner restores them after a liveness lapse). */
  presence: {
    connected(code: string, seat: { playerId: string; connectionId: string }): void;
    disconnected(code: string, seat: { playerId: string; connectionId: string }): void;
  };
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
  'UNAVAILABLE',
]);

/** A refused connection: the client sees `connect_error` with `message` = code and `data` = details. */
function joinError(error: AppError): Error & { data: unknown } {
  const code = JOIN_CODES.has(error.code) ? error.code : 'BAD_REQUEST';
  return Object.assign(new Error(code), { data: { code, message: error.message, ...error.data } });
}

/** The namespace `/<gameType>`: admission of players, then their events, each answered by an ack. */
export function attachGameNamespace(io: GameServerIO, plugin: AnyGamePlugin, deps: NamespaceDeps): void {
  const { service, metrics, log, inflight } = deps;
  const nsp = io.of(`/${plugin.gameType}`);

  nsp.use((socket, next) => {
    const started = performance.now();
    const address = clientAddress(socket.request, deps.trust);
    const refuse = (error: AppError) => {
      metrics.joins.inc({ result: error.code });
      next(joinError(error));
    };
    if (service.isDraining) return refuse(new AppError('SERVER_DRAINING', 'This server is shutting down'));
    const auth = JoinAuth.safeParse(socket.handshake.auth);
    const code = auth.success ? normalizeRoomCode(auth.data.roomCode) : null;
    const credential = auth.success && auth.data.token !== undefined;

    void inflight
      .run(async () => {
        // A valid token is never refused for others' failures; see GuessGuard.
        const attempt = await deps.guessGuard.begin(address, code, credential);
        if (!attempt.allowed) throw new AppError('RATE_LIMITED', 'Too many failed joins; wait a minute');
        try {
          if (!auth.success) throw new AppError('BAD_REQUEST', describeZodError(auth.error));
          // Under Agones a server admits only the rooms assigned to it (ROOM_MOVED otherwise).
          if (code && deps.admit) await deps.admit(code);
          const joined = await service.join(auth.data.roomCode, {
            name: auth.data.name,
            token: auth.data.token,
            connectionId: socket.id,
            gameType: plugin.gameType,
          });
          await attempt.succeeded(joined.room.code);
          return joined;
        } catch (error) {
          const appError = toAppError(error);
          await (GUESSING.has(appError.code) ? attempt.failed() : attempt.released());
          throw appError;
        }
      })
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
          watchUntilWelcomed(socket);
          metrics.joins.inc({ result: 'ok' });
          metrics.playerJoin.observe((performance.now() - started) / 1000);
          next();
        },
        (error: unknown) => refuse(toAppError(error)),
      );
  });

  /**
   * Until the connection handler runs, a closing transport must free the seat itself. The watcher is
   * made outside the admission middleware (it would keep that scope alive for the whole connection)
   * and removed once the player is welcomed, when the `disconnect` listener takes over.
   */
  const earlyCloseWatchers = new WeakMap<GameSocket, () => void>();
  const watchUntilWelcomed = (socket: GameSocket) => {
    const watcher = () => {
      earlyCloseWatchers.delete(socket);
      if (!socket.data.welcomed) releaseSeat(socket);
    };
    earlyCloseWatchers.set(socket, watcher);
    socket.conn.once('close', watcher);
  };

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

  // Built once for the namespace; every socket gets the same functions (see ackedEventListener).
  const on = <S extends z.ZodType>(
    event: keyof ClientToServerEvents,
    schema: S,
    handle: (socket: GameSocket, payload: z.infer<S>) => Promise<RoomRecord>,
  ): [string, SharedListener] => [event, ackedEventListener(deps, event, schema, handle)];
  const listeners: Array<[string, SharedListener]> = [
    on('room:chat', ChatPayload, (s, { text }) => service.chat(s.data.roomCode, s.data.playerId, text)),
    on('game:action', GameActionPayload, (s, action) =>
      service.act(s.data.roomCode, s.data.playerId, action),
    ),
    on('room:kick', PlayerTargetPayload, (s, { playerId: target }) =>
      service.kick(s.data.roomCode, s.data.playerId, target),
    ),
    on('room:transfer-host', PlayerTargetPayload, (s, { playerId: target }) =>
      service.transferHost(s.data.roomCode, s.data.playerId, target),
    ),
    on('room:settings', SettingsPayload, (s, settings) =>
      service.updateSettings(s.data.roomCode, s.data.playerId, settings),
    ),
    on('room:return-to-lobby', EmptyPayload, (s) => service.returnToLobby(s.data.roomCode, s.data.playerId)),
    on('room:leave', EmptyPayload, async (s) => {
      const room = await service.leave(s.data.roomCode, s.data.playerId);
      setImmediate(() => s.disconnect(true));
      return room;
    }),
    ['rtc:signal', rtcRelayListener(nsp, plugin, { service, metrics, inflight, log })],
  ];
  /**
   * One catch-all listener per socket routes the client events above (Socket.IO calls it with the
   * socket as `this`, the event name first): a connection holds one listener, not one per event.
   * Events without a handler, and packets that arrive after the socket was disconnected, are ignored
   * as Socket.IO's own dispatch does.
   */
  const handlers = new Map(listeners);
  const onClientEvent = function (this: GameSocket, event: unknown, ...args: unknown[]) {
    if (!this.connected || typeof event !== 'string') return;
    handlers.get(event)?.apply(this, args);
  };
  const onDisconnect = function (this: GameSocket) {
    metrics.connectedSockets.dec({ game_type: plugin.gameType });
    deps.presence.disconnected(this.data.roomCode, { playerId: this.data.playerId, connectionId: this.id });
    releaseSeat(this);
  };

  nsp.on('connection', (socket) => {
    const { roomCode, playerId, sessionToken } = socket.data;
    socket.data.welcomed = true;
    // The welcome below is the token's only use here; a connection need not hold it for its lifetime.
    socket.data.sessionToken = '';
    const watcher = earlyCloseWatchers.get(socket);
    if (watcher) {
      earlyCloseWatchers.delete(socket);
      socket.conn.off('close', watcher);
    }
    metrics.connectedSockets.inc({ game_type: plugin.gameType });
    deps.presence.connected(roomCode, { playerId, connectionId: socket.id });
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

    socket.onAny(onClientEvent);
    socket.on('disconnect', onDisconnect);
  });
}
