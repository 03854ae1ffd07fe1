import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerSummary } from '@gamebuddies/protocol';
import { builtinGames } from '@gamebuddies/games';
import {
  createLogger,
  createRoomStore,
  GameRegistry,
  redisConfigured,
  RoomOwnership,
  RoomService,
  RoomTimerScheduler,
  type AnyGamePlugin,
  type Logger,
  type RoomStore,
} from '@gamebuddies/rooms';
import {
  corsPolicy,
  createRateLimits,
  createRoomsApi,
  GuessGuard,
  sealedIdempotency,
  TokenSealer,
  trustFunction,
  WebhookSender,
} from '@gamebuddies/rooms-api';
import { gameServerUrl } from './agones/agonesLifecycle.js';
import { createAgonesSdk, type AgonesSdk } from './agones/agonesSdk.js';
import type { Config } from './config/config.js';
import { createHttpApp } from './http/httpApp.js';
import { metricsHandler, type HealthStatus } from './http/healthRouter.js';
import { LocalRoomsBackend } from './http/localRoomsBackend.js';
import { DEFAULT_WEB_ROOT } from './http/webRoot.js';
import { gameBuddiesWebhooks } from './integrations/gameBuddiesWebhooks.js';
import { connectAgones, createAgonesRuntime, type AgonesRuntime } from './lifecycle/agonesRuntime.js';
import { gracefulShutdown } from './lifecycle/shutdown.js';
import { GameMetrics } from './metrics/gameMetrics.js';
import { roomUpdateMetrics } from './metrics/roomMetrics.js';
import { InflightTracker } from './realtime/inflight.js';
import { createRedisAdapter, type RedisAdapter } from './realtime/redisAdapter.js';
import { RoomBroadcaster } from './realtime/roomBroadcaster.js';
import { attachGames, createSocketServer } from './realtime/socketServer.js';
import type { GameServerIO } from './realtime/types.js';

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
  /** The port `/metrics` is on when METRICS_PORT is set. */
  readonly metricsPort: number | undefined;
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

/**
 * Starts one game server: the store, the HTTP app and Socket.IO on one port, room ownership, and
 * under Agones the SDK lifecycle. Each part is built by its own module; this wires them together.
 */
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
  const gameServer = agonesSdk ? await connectAgones(agonesSdk, log) : undefined;

  const httpServer = createServer();
  const address = await listen(httpServer, config.port, config.host);
  const metricsServer =
    config.metricsPort === undefined ? undefined : createServer(metricsHandler(metrics.registry));
  const metricsAddress = metricsServer
    ? await listen(metricsServer, config.metricsPort!, config.host)
    : undefined;
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
  const trust = trustFunction(config.trustProxy);
  // With Redis the budgets hold for every replica together; see docs/deploy.md.
  const limits = createRateLimits(
    config,
    { guessesPerMinute: config.joinFailuresPerMinute, creationsPerMinute: config.roomCreationsPerMinute },
    log,
  );
  const guessGuard = new GuessGuard(limits);
  const cors = corsPolicy(config.corsOrigins, [publicUrl, listenUrl, config.lookupUrl]);
  // Host tokens are never kept in plaintext: remembered create answers are sealed (TOKEN_ENCRYPTION_KEY).
  const sealer = config.tokenSealer ?? TokenSealer.ephemeral();

  const scheduler = new RoomTimerScheduler((code) => service.fireDueTimers(code), log);
  const ownership = new RoomOwnership(
    store,
    service,
    scheduler,
    { serverId: config.serverId, leaseMs: config.roomLeaseMs },
    log,
  );
  const webhooks = config.webhook
    ? new WebhookSender(
        { ...config.webhook, onOutcome: (outcome, type) => metrics.webhooks.inc({ outcome, type }) },
        log,
      )
    : undefined;

  let draining = false;
  const status = (): HealthStatus =>
    draining ? 'draining' : store.health() === 'ok' ? 'healthy' : 'degraded';
  // Read only once requests arrive, after `io` below exists.
  const connectedPlayers = () => io.engine.clientsCount;
  const thisServer = async (): Promise<ServerSummary> => {
    const currentRooms = await service.countRooms();
    return {
      id: config.serverId,
      url: publicUrl,
      health: status(),
      load: Math.round((currentRooms / config.maxRooms) * 100),
      currentRooms,
      maxRooms: config.maxRooms,
      players: connectedPlayers(),
    };
  };
  const backend = new LocalRoomsBackend(service, thisServer);
  const roomsApi = createRoomsApi({
    backend,
    apiKeys: config.apiKeys,
    publicUrl: () => publicUrl,
    idempotency: sealedIdempotency(store.idempotency(), sealer),
    log,
    guessGuard,
    cors,
    legacyTokenLinks: config.legacyTokenLinks,
    observeCreation: (seconds) => metrics.roomCreation.observe(seconds),
  });
  // The app is the request listener before Socket.IO attaches (see createSocketServer).
  const app = createHttpApp({
    log,
    trust,
    health: {
      status,
      registry: metrics.registry,
      serverId: config.serverId,
      separateMetrics: config.metricsPort !== undefined,
      // Health must answer even when the store does not: rooms is null then.
      stats: async () => ({
        rooms: await service.countRooms().catch(() => null),
        players: connectedPlayers(),
      }),
    },
    roomsApi,
    internal: { apiKeys: config.apiKeys, ownership, service },
    play: {
      backend,
      games,
      openRoomCreation: config.openRoomCreation,
      creationLimiter: limits.creations,
      corsAllowed: cors.public,
      publicUrl: () => publicUrl,
      lookupUrl: () => config.lookupUrl ?? publicUrl,
    },
    webRoot: options.webRoot ?? config.webRoot ?? DEFAULT_WEB_ROOT,
  });
  httpServer.on('request', app);
  const io: GameServerIO = createSocketServer(httpServer, {
    corsOrigins: cors.socketIo,
    redisAdapter,
    heartbeat: config.heartbeat,
  });

  const broadcaster = new RoomBroadcaster(io, games, log);
  service.onUpdate(broadcaster.publish);
  store.onRoomDeleted(broadcaster.roomDeleted);
  service.onUpdate(ownership.onUpdate);
  // Under Agones the operator announces readiness once a room is placed.
  if (webhooks) service.onUpdate(gameBuddiesWebhooks(webhooks, { announceReady: !config.agones }));
  const agones: AgonesRuntime | undefined = agonesSdk
    ? createAgonesRuntime({
        sdk: agonesSdk,
        store,
        service,
        ownership,
        dropLocalSockets: broadcaster.dropLocalSockets,
        connectedPlayers,
        maxRooms: config.maxRooms,
        healthIntervalMs: config.agones!.healthIntervalMs,
        drainTimeoutMs: config.agones!.drainTimeoutMs,
        log,
      })
    : undefined;
  service.onUpdate(roomUpdateMetrics(metrics));
  attachGames(io, games, {
    service,
    metrics,
    log,
    inflight,
    guessGuard,
    actionRatePerSec: config.actionRatePerSec,
    actionBurst: config.actionBurst,
    trust,
    ...(agones ? { admit: agones.rooms.admit.bind(agones.rooms) } : {}),
    presence: {
      connected: (code) => ownership.playerConnected(code),
      disconnected: (code) => ownership.playerDisconnected(code),
    },
  });

  await ownership.start();
  if (agones && gameServer) await agones.lifecycle.start(gameServer);

  const shutdown = gracefulShutdown({
    log,
    io,
    games,
    store,
    inflight,
    ownership,
    scheduler,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    startDraining: () => {
      draining = true;
      service.startDraining();
    },
    close: [
      () => limits.close(),
      () => roomsApi.close(),
      () => webhooks?.close(),
      () => redisAdapter?.close(),
      () =>
        new Promise<void>((resolve) => {
          if (metricsServer) metricsServer.close(() => resolve());
          else resolve();
        }),
    ],
    agones: agones?.lifecycle,
  });

  return {
    listenUrl,
    publicUrl,
    port: address.port,
    metricsPort: metricsAddress?.port,
    config,
    service,
    store,
    io,
    metrics,
    log,
    shutdown,
  };
}
