import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import type { ServerSummary } from '@gamebuddies/protocol';
import type { Config } from './config/config.js';
import { builtinGames } from '@gamebuddies/games';
import { AgonesLifecycle, gameServerUrl } from './agones/agonesLifecycle.js';
import { AgonesRooms } from './agones/agonesRooms.js';
import { createAgonesSdk, type AgonesGameServer, type AgonesSdk } from './agones/agonesSdk.js';
import { LoadReporter } from './agones/loadReporter.js';
import {
  createRoomsApi,
  errorHandler,
  KeyedRateLimiter,
  notFound,
  WebhookSender,
} from '@gamebuddies/rooms-api';
import { gameBuddiesWebhooks } from './integrations/gameBuddiesWebhooks.js';
import { healthRouter, type HealthStatus } from './http/healthRouter.js';
import { internalRouter } from './http/internalRouter.js';
import { LocalRoomsBackend } from './http/localRoomsBackend.js';
import { DEFAULT_WEB_ROOT } from './http/webRoot.js';
import { playRouter } from './http/playRouter.js';
import {
  createLogger,
  type Logger,
  type AnyGamePlugin,
  GameRegistry,
  RoomOwnership,
  RoomService,
  RoomTimerScheduler,
  createRoomStore,
  redisConfigured,
  type RoomStore,
} from '@gamebuddies/rooms';
import { GameMetrics } from './metrics/gameMetrics.js';
import { attachGameNamespace } from './realtime/gameNamespace.js';
import { InflightTracker } from './realtime/inflight.js';
import { RoomBroadcaster } from './realtime/roomBroadcaster.js';
import type { GameServerIO } from './realtime/types.js';
import { createRedisAdapter, type RedisAdapter } from './realtime/redisAdapter.js';
export interface GameServerOptions {
  /** The Agones SDK client (tests pass one; by default the real one when config.agones is set). */
  agonesSdk?: AgonesSdk;
  games?: AnyGamePlugin[];
  store?: RoomStore;
  logger?: Logger;
  /** Folder of the web client served at `/`. */
  webRoot?: string;
}

export interface GameServer {
  /** Where this process listens (for tests and the start banner). */
  readonly listenUrl: string;
  /** Where players are sent (PUBLIC_URL, or the listen URL). */
  readonly publicUrl: string;
  readonly port: number;
  readonly config: Config;
  readonly service: RoomService;
  readonly store: RoomStore;
  readonly io: GameServerIO;
  readonly metrics: GameMetrics;
  readonly log: Logger;
  /** Stops taking rooms and players, tells clients, waits for writes under way, then closes. */
  shutdown(): Promise<void>;
}

function listen(server: HttpServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startGameServer(config: Config, options: GameServerOptions = {}): Promise<GameServer> {
  const log = options.logger ?? createLogger(config.logLevel, { serverId: config.serverId });
  const games = new GameRegistry(options.games ?? builtinGames());
  // The rooms gauge reads the service, which needs the store, which reports to the metrics.
  let countRooms = async () => 0;
  const metrics = new GameMetrics(() => countRooms(), { server_id: config.serverId });
  const store =
    options.store ??
    (await createRoomStore(config, log, (operation, seconds) =>
      metrics.storeLatency.observe({ operation }, seconds),
    ));
  metrics.storeUp.set(store.health() === 'ok' ? 1 : 0);
  store.onHealthChange((health) => metrics.storeUp.set(health === 'ok' ? 1 : 0));
  // Several servers share rooms only when they share the store: then broadcasts go through Redis too.
  const redisAdapter: RedisAdapter | undefined =
    store.durable && redisConfigured(config) ? createRedisAdapter(config, log) : undefined;

  // Under Agones the sidecar is there before we listen; the GameServer's address is our public URL.
  const agonesSdk = config.agones ? (options.agonesSdk ?? createAgonesSdk()) : undefined;
  let gameServer: AgonesGameServer | undefined;
  if (agonesSdk) {
    await agonesSdk.connect();
    gameServer = await agonesSdk.getGameServer();
    log.info(
      { gameServer: gameServer.name, address: gameServerUrl(gameServer) },
      'Agones: connected to the SDK',
    );
  }

  const httpServer = createServer();
  const address = await listen(httpServer, config.port, config.host);
  // Everything below runs in the same tick as `listen` resolving, before any request is read.
  const listenHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const listenUrl = `http://${listenHost}:${address.port}`;
  const publicUrl = config.publicUrl ?? (gameServer && gameServerUrl(gameServer)) ?? listenUrl;

  const service = new RoomService(
    store,
    games,
    {
      serverId: config.serverId,
      publicUrl,
      maxRooms: config.maxRooms,
      reconnectGraceMs: config.reconnectGraceMs,
    },
    log,
  );
  countRooms = () => service.countRooms();
  const inflight = new InflightTracker();
  const joinFailures = new KeyedRateLimiter(config.joinFailuresPerMinute / 60, config.joinFailuresPerMinute);
  const creationLimiter = new KeyedRateLimiter(30 / 60, 30);

  // The app must be the server's request listener before Socket.IO attaches: engine.io then hands it
  // everything outside /socket.io/.
  const app = express();
  httpServer.on('request', app);
  const io: GameServerIO = new Server(httpServer, {
    transports: ['polling', 'websocket'],
    perMessageDeflate: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins },
    serveClient: true,
    ...(redisAdapter ? { adapter: redisAdapter.adapter } : {}),
  });

  const scheduler = new RoomTimerScheduler((code) => service.fireDueTimers(code), log);
  const ownership = new RoomOwnership(
    store,
    service,
    scheduler,
    { serverId: config.serverId, leaseMs: config.roomLeaseMs },
    log,
  );
  const broadcaster = new RoomBroadcaster(io, games, log);
  service.onUpdate(broadcaster.publish);
  store.onRoomDeleted(broadcaster.roomDeleted);
  service.onUpdate(ownership.onUpdate);
  const webhooks = config.webhook
    ? new WebhookSender(
        { ...config.webhook, onOutcome: (outcome, type) => metrics.webhooks.inc({ outcome, type }) },
        log,
      )
    : undefined;
  // Under Agones the operator announces readiness once a room is placed.
  if (webhooks) service.onUpdate(gameBuddiesWebhooks(webhooks, { announceReady: !config.agones }));
  let agones: AgonesLifecycle | undefined;
  let agonesRooms: AgonesRooms | undefined;
  if (agonesSdk) {
    agonesRooms = new AgonesRooms(
      agonesSdk,
      store,
      service,
      ownership,
      broadcaster.dropLocalSockets,
      () => agones?.roomEnded(),
      log,
    );
    service.onUpdate(agonesRooms.onUpdate);
    agones = new AgonesLifecycle(
      agonesSdk,
      agonesRooms,
      new LoadReporter(agonesSdk, () => io.engine.clientsCount, log),
      { maxRooms: config.maxRooms, healthIntervalMs: config.agones!.healthIntervalMs },
      log,
    );
  }
  service.onUpdate(({ room, events }) => {
    for (const event of events) {
      if (event.type === 'finished') metrics.gamesCompleted.inc({ game_type: room.gameType });
      if (event.type === 'joined' || event.type === 'left')
        metrics.playersPerRoom.observe(room.players.length);
    }
    metrics.stateUpdates.inc({ game_type: room.gameType });
  });
  for (const plugin of games.list()) {
    attachGameNamespace(io, plugin, {
      service,
      metrics,
      log,
      inflight,
      joinFailures,
      actionRatePerSec: config.actionRatePerSec,
      actionBurst: config.actionBurst,
      trustProxy: config.trustProxy,
      ...(agonesRooms ? { admit: agonesRooms.admit.bind(agonesRooms) } : {}),
      presence: {
        connected: (code) => ownership.playerConnected(code),
        disconnected: (code) => ownership.playerDisconnected(code),
      },
    });
  }

  let draining = false;
  const status = (): HealthStatus =>
    draining ? 'draining' : store.health() === 'ok' ? 'healthy' : 'degraded';
  const thisServer = async (): Promise<ServerSummary> => {
    const currentRooms = await service.countRooms();
    return {
      id: config.serverId,
      url: publicUrl,
      health: status(),
      load: Math.round((currentRooms / config.maxRooms) * 100),
      currentRooms,
      maxRooms: config.maxRooms,
      players: io.engine.clientsCount,
    };
  };
  const backend = new LocalRoomsBackend(service, thisServer);
  const roomsApi = createRoomsApi({
    backend,
    apiKeys: config.apiKeys,
    publicUrl: () => publicUrl,
    idempotency: store.idempotency(),
    log,
    lookupFailuresPerMinute: config.joinFailuresPerMinute,
    observeCreation: (seconds) => metrics.roomCreation.observe(seconds),
  });

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(express.json({ limit: '64kb' }));
  app.use(
    healthRouter({
      status,
      registry: metrics.registry,
      serverId: config.serverId,
      // Health must answer even when the store does not: rooms is null then.
      stats: async () => ({
        rooms: await service.countRooms().catch(() => null),
        players: io.engine.clientsCount,
      }),
    }),
  );
  app.use(roomsApi.router);
  app.use('/internal', internalRouter({ apiKeys: config.apiKeys, ownership, service }));
  app.use(
    '/play',
    playRouter({
      backend,
      games,
      openRoomCreation: config.openRoomCreation,
      creationLimiter,
      publicUrl: () => publicUrl,
      lookupUrl: () => config.lookupUrl ?? publicUrl,
    }),
  );
  app.use(
    express.static(options.webRoot ?? config.webRoot ?? DEFAULT_WEB_ROOT, {
      index: 'index.html',
      maxAge: '1h',
    }),
  );
  app.use(notFound);
  app.use(errorHandler(log));

  await ownership.start();
  if (agones && gameServer) await agones.start(gameServer);

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = () => {
    shutdownPromise ??= (async () => {
      draining = true;
      service.startDraining();
      log.info({ sockets: io.engine.clientsCount }, 'shutting down: no new rooms or players');
      for (const plugin of games.list()) {
        // Only this server's sockets: with a shared adapter, other servers' players are not ours to tell.
        const nsp = io.of(`/${plugin.gameType}`);
        if (store.durable) nsp.local.emit('server:shutdown', { reconnect: true });
        else nsp.local.emit('room:closed', { reason: 'server_shutdown' });
      }
      // Writes clients were promised an answer for finish before their sockets go.
      if (!(await inflight.idle(config.shutdownTimeoutMs))) log.warn('shutdown: gave up waiting for writes');
      for (const plugin of games.list()) io.of(`/${plugin.gameType}`).local.disconnectSockets(true);
      await inflight.idle(config.shutdownTimeoutMs);
      // Leases go last: until the final writes are done this server still runs its rooms' timers.
      await ownership.stop();
      scheduler.stop();
      joinFailures.close();
      creationLimiter.close();
      roomsApi.close();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      await webhooks?.close();
      await redisAdapter?.close();
      await store.close();
      // Last: Agones deletes this GameServer, and the operator moves any room still assigned here.
      await agones?.stop();
      log.info('shut down');
    })();
    return shutdownPromise;
  };

  return {
    listenUrl,
    publicUrl,
    port: address.port,
    config,
    service,
    store,
    io,
    metrics,
    log,
    shutdown,
  };
}
