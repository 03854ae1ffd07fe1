import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import {
  apiKeyAuth,
  corsPolicy,
  createConsoleApi,
  createRateLimits,
  createRoomsApi,
  errorHandler,
  GuessGuard,
  notFound,
  sealedIdempotency,
  securityHeaders,
  TokenSealer,
  trustFunction,
} from '@gamebuddies/rooms-api';
import type { Config } from '../config/config.js';
import { builtinGames } from '@gamebuddies/games';
import { healthRouter } from '../http/healthRouter.js';
import { playRouter } from '../http/playRouter.js';
import { DEFAULT_WEB_ROOT } from '../http/webRoot.js';
import {
  type Logger,
  GameRegistry,
  MemoryIdempotencyStore,
  createRoomStore,
  redisConfigured,
} from '@gamebuddies/rooms';
import { FleetConsoleSource } from './fleetConsole.js';
import { FleetRoomsBackend } from './fleetRoomsBackend.js';
import { LocalFleet } from './localFleet.js';

export interface RunningFleet {
  listenUrl: string;
  publicUrl: string;
  fleet: LocalFleet;
  shutdown(): Promise<void>;
}

/**
 * `npm start -- --servers N`: N game servers behind one Rooms API and page on PORT. GameBuddies (or
 * the page) creates rooms here; players are sent to the member that holds their room.
 */
export async function startLocalFleet(
  config: Config,
  size: number,
  namePrefix: string,
  log: Logger,
): Promise<RunningFleet> {
  // The front listens first: members are told its address, where pages look their room up.
  const headers = securityHeaders();
  const starting = (req: IncomingMessage, res: ServerResponse) => {
    headers(req, res, () => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'SERVER_DRAINING', message: 'The fleet is starting' } }));
    });
  };
  const httpServer = createServer(starting);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const listenHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const listenUrl = `http://${listenHost}:${port}`;
  const publicUrl = config.publicUrl ?? listenUrl;

  const store = redisConfigured(config) ? await createRoomStore(config, log) : undefined;
  const fleet = await LocalFleet.start(config, size, namePrefix, store, log, publicUrl).catch(
    (error: unknown) => {
      httpServer.close();
      throw error;
    },
  );
  const backend = new FleetRoomsBackend(fleet);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'gamebuddies_fleet_members_up',
    help: 'Game servers of the local fleet answering their health check',
    registers: [registry],
    collect() {
      this.set(fleet.live().length);
    },
  });
  const restarts = new Counter({
    name: 'gamebuddies_fleet_member_restarts_total',
    help: 'Game servers of the local fleet restarted after they died',
    registers: [registry],
  });
  for (const member of fleet.members) member.onExit(() => restarts.inc());

  // The router's budgets are the members' too when they share Redis (one deployment, one limit).
  const limits = createRateLimits(
    { ...config, serverId: namePrefix },
    { guessesPerMinute: config.joinFailuresPerMinute, creationsPerMinute: config.roomCreationsPerMinute },
    log,
  );
  // Pages served by the members read /r/ here when their server is gone.
  const cors = corsPolicy(config.corsOrigins, [publicUrl, listenUrl, ...fleet.members.map((m) => m.url)]);
  const sealer = config.tokenSealer ?? TokenSealer.ephemeral();
  const roomsApi = createRoomsApi({
    backend,
    apiKeys: config.apiKeys,
    publicUrl: () => publicUrl,
    idempotency: sealedIdempotency(store?.idempotency() ?? new MemoryIdempotencyStore(), sealer),
    log,
    guessGuard: new GuessGuard(limits),
    cors,
    legacyTokenLinks: config.legacyTokenLinks,
  });
  const games = new GameRegistry(builtinGames());
  const webRoot = config.webRoot ?? DEFAULT_WEB_ROOT;
  const consoleApi = createConsoleApi({
    source: new FleetConsoleSource(fleet, games),
    apiKeys: config.apiKeys,
    log,
    page: join(webRoot, 'console.html'),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustFunction(config.trustProxy));
  app.use(headers);
  app.use(express.json({ limit: '64kb' }));
  app.use(
    healthRouter({
      status: () => (fleet.live().length > 0 ? 'healthy' : 'degraded'),
      registry,
      serverId: namePrefix,
      stats: async () => ({
        rooms: fleet.live().reduce((sum, m) => sum + (m.health?.rooms ?? 0), 0),
        players: fleet.live().reduce((sum, m) => sum + (m.health?.players ?? 0), 0),
      }),
    }),
  );
  app.use(roomsApi.router);
  app.use(consoleApi.router);
  app.get('/fleet', apiKeyAuth(config.apiKeys), (_req, res) => {
    res.json({
      members: fleet.members.map((m) => ({
        id: m.id,
        url: m.url,
        pid: m.pid ?? null,
        state: m.state,
        restarts: m.restarts,
        health: m.health ?? null,
      })),
    });
  });
  app.use(
    '/play',
    playRouter({
      backend,
      games,
      openRoomCreation: config.openRoomCreation,
      creationLimiter: limits.creations,
      corsAllowed: cors.public,
      publicUrl: () => publicUrl,
      lookupUrl: () => publicUrl,
    }),
  );
  app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
  app.use(notFound);
  app.use(errorHandler(log));
  httpServer.off('request', starting);
  httpServer.on('request', app);

  let stopping: Promise<void> | undefined;
  return {
    listenUrl,
    publicUrl,
    fleet,
    shutdown() {
      stopping ??= (async () => {
        log.info('stopping the local fleet');
        // Live consoles hold their connection open: end them first or the close would wait for them.
        consoleApi.close();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeAllConnections();
        await fleet.stop();
        roomsApi.close();
        await limits.close();
        log.info('local fleet stopped');
      })();
      return stopping;
    },
  };
}
