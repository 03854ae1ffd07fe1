import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { GameRegistry } from '@gamebuddies/rooms';
import { engineErrorShape, securityHeaders } from '@gamebuddies/rooms-api';
import { attachGameNamespace, type NamespaceDeps } from './gameNamespace.js';
import type { RedisAdapter } from './redisAdapter.js';
import type { GameServerIO } from './types.js';

/**
 * The Socket.IO server on the HTTP server, one namespace per game. The HTTP app must already be the
 * server's request listener: engine.io then hands it everything outside /socket.io/.
 */
export function createSocketServer(
  httpServer: HttpServer,
  options: {
    corsOrigins: string[] | '*';
    redisAdapter: RedisAdapter | undefined;
    heartbeat: { pingIntervalMs: number; pingTimeoutMs: number };
  },
): GameServerIO {
  const io: GameServerIO = new Server(httpServer, {
    pingInterval: options.heartbeat.pingIntervalMs,
    pingTimeout: options.heartbeat.pingTimeoutMs,
    transports: ['polling', 'websocket'],
    perMessageDeflate: false,
    maxHttpBufferSize: 64 * 1024,
    // Cookie-less: no sticky-session cookie, no credentials allowed cross-origin.
    cors: { origin: options.corsOrigins, credentials: false },
    cookie: false,
    serveClient: true,
    ...(options.redisAdapter ? { adapter: options.redisAdapter.adapter } : {}),
  });
  // Socket.IO answers /socket.io/ itself: the same headers, and errors in the same shape, as the app.
  io.engine.use(securityHeaders());
  io.engine.use(engineErrorShape());
  return io;
}

export function attachGames(io: GameServerIO, games: GameRegistry, deps: NamespaceDeps): void {
  for (const plugin of games.list()) attachGameNamespace(io, plugin, deps);
}
