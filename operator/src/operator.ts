import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import express from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';
import { builtinGames } from '@gamebuddies/games';
import { GameRegistry, RoomService, createRoomStore, type RoomStore } from '@gamebuddies/rooms';
import {
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
  WebhookSender,
} from '@gamebuddies/rooms-api';
import { clusterRoom, gameServerForConsole } from './api/clusterView.js';
import { gameRoomName, KubernetesRoomsBackend } from './api/kubernetesBackend.js';
import { DEFAULT_WEB_ROOT, OperatorConsoleSource } from './api/operatorConsole.js';
import type { OperatorConfig } from './config.js';
import { GameRoomController } from './controller/gameRoomController.js';
import { LeaderElector } from './controller/leaderElection.js';
import { LeaderFence } from './controller/leaderFence.js';
import { ResilientInformer } from './controller/resilientInformer.js';
import {
  GAMEROOM_GROUP,
  GAMEROOM_PLURAL,
  GAMEROOM_VERSION,
  type GameRoom,
} from './crd/gameRoom.generated.js';
import { AGONES_GROUP, AGONES_VERSION, GAMESERVERS, type GameServer } from './kube/agonesTypes.js';
import { KubeClients } from './kube/clients.js';
import { EventRecorder } from './kube/events.js';
import { HostTokenSecrets } from './kube/hostTokenSecrets.js';
import { GameRoomReconciler } from './reconcile/gameRoomReconciler.js';

export interface RunningOperator {
  apiUrl: string;
  probeUrl: string;
  registry: Registry;
  isLeader(): boolean;
  shutdown(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The operator: informers on GameRooms and GameServers, the reconcile loop (on the leader only), the
 * Rooms API (on every replica) and the probe/metrics server.
 */
export async function startOperator(
  config: OperatorConfig,
  log: Logger,
  kubeConfig: KubeConfig = loadKubeConfig(),
): Promise<RunningOperator> {
  const kube = new KubeClients(kubeConfig, { requestTimeoutMs: config.requestTimeoutMs });
  await kube.checkPrerequisites();
  const namespace = config.watchNamespace;

  const store: RoomStore = await createRoomStore(
    {
      ...config.redis,
      redisKeyPrefix: config.redisKeyPrefix,
      redisAckReplicas: config.redisAckReplicas,
      redisAckTimeoutMs: config.redisAckTimeoutMs,
      roomTtlSeconds: config.roomTtlSeconds,
      serverId: 'operator',
    },
    log,
  );
  // Rooms are created here and adopted by the game server the operator places them on.
  const games = new GameRegistry(builtinGames());
  const service = new RoomService(
    store,
    games,
    {
      serverId: 'operator',
      publicUrl: '',
      maxRooms: Number.MAX_SAFE_INTEGER,
      reconnectGraceMs: config.reconnectGraceMs,
    },
    log,
  );

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const allocationDuration = new Histogram({
    name: 'gamebuddies_allocation_duration_seconds',
    help: 'GameServerAllocation round trips, by result (Allocated, UnAllocated, Contention)',
    labelNames: ['result'],
    // Alerted on at 5 s (the seed's room-creation threshold): buckets reach past it.
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const rooms = new ResilientInformer<GameRoom>(
    kubeConfig,
    `/apis/${GAMEROOM_GROUP}/${GAMEROOM_VERSION}/namespaces/${namespace}/${GAMEROOM_PLURAL}`,
    () => kube.listGameRooms(namespace),
    log,
  );
  const gameServers = new ResilientInformer<GameServer>(
    kubeConfig,
    `/apis/${AGONES_GROUP}/${AGONES_VERSION}/namespaces/${namespace}/${GAMESERVERS}`,
    () => kube.listGameServers(namespace),
    log,
  );

  // Lost leadership stops the workers; a reconcile already under way is stopped by the fence at its
  // next write (no allocation, status or list write from a term that has ended).
  const elector = config.leaderElection
    ? new LeaderElector(
        kubeConfig,
        {
          namespace: config.podNamespace,
          name: config.leaseName,
          identity: config.identity,
          leaseDurationSeconds: config.leaseDurationSeconds,
          renewDeadlineMs: config.renewDeadlineMs,
          retryPeriodMs: config.retryPeriodMs,
          onStartedLeading: () => controller.start(),
          onStoppedLeading: () => void controller.stop(),
        },
        registry,
        log,
      )
    : undefined;
  const fence = elector ? new LeaderFence(() => elector.currentTerm()) : LeaderFence.always();
  const leaderKube = new KubeClients(kubeConfig, { requestTimeoutMs: config.requestTimeoutMs, fence });

  const webhooks = config.webhook ? new WebhookSender(config.webhook, log) : undefined;
  const reconciler = new GameRoomReconciler({
    kube: leaderKube,
    rooms,
    gameServers,
    service,
    store,
    events: new EventRecorder(leaderKube.core, 'gamebuddies-operator', log),
    hostTokens: new HostTokenSecrets(leaderKube.core, () => fence.assert()),
    policy: {
      gameTypeLabel: config.gameTypeLabel,
      roomsList: config.roomsList,
      strategy: config.allocationStrategy,
    },
    refreshMs: config.refreshSeconds * 1000,
    allocationDuration,
    onReady: (room, status) =>
      webhooks?.send('room.ready', {
        roomCode: status.roomCode!,
        gameType: room.spec.gameType,
        url: status.url ?? null,
        serverId: status.gameServer?.name ?? null,
      }),
    log,
  });
  // The elector's callbacks above run only after elector.start(), below this.
  const controller = new GameRoomController(
    rooms,
    gameServers,
    reconciler,
    fence,
    { workers: config.workers, roomsList: config.roomsList },
    registry,
    log,
  );

  await Promise.all([rooms.start(), gameServers.start()]);
  log.info({ namespace }, 'informers synced');

  if (elector) elector.start();
  else controller.start();

  // The Rooms API, served by every replica (it only reads caches and writes GameRooms).
  const backend = new KubernetesRoomsBackend(kube, rooms, gameServers, service, store, {
    namespace,
    gameTypeLabel: config.gameTypeLabel,
    roomsList: config.roomsList,
    ttlSecondsAfterFinished: config.gameRoomTtlSecondsAfterFinished,
  });
  const apiServer = createServer();
  const apiPort = await listen(apiServer, config.port, config.host);
  const shownHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const apiUrl = `http://${shownHost}:${apiPort}`;
  // Every replica shares the budgets through Redis: N replicas are not N times the guesses.
  const limits = createRateLimits(
    { ...config.redis, redisKeyPrefix: config.redisKeyPrefix, serverId: config.identity },
    { guessesPerMinute: config.lookupFailuresPerMinute, creationsPerMinute: 1 },
    log,
  );
  const roomsApi = createRoomsApi({
    backend,
    apiKeys: config.apiKeys,
    publicUrl: () => config.publicUrl ?? apiUrl,
    // Host tokens are never kept in plaintext: remembered create answers are sealed.
    idempotency: sealedIdempotency(store.idempotency(), config.tokenSealer ?? TokenSealer.ephemeral()),
    log,
    guessGuard: new GuessGuard(limits),
    cors: corsPolicy(config.corsOrigins, [config.publicUrl, apiUrl]),
    legacyTokenLinks: config.legacyTokenLinks,
  });
  const consoleApi = createConsoleApi({
    source: new OperatorConsoleSource(store, games, service, backend, {
      servers: () => gameServers.list(namespace).map((gs) => gameServerForConsole(gs, config.roomsList)),
      room: (code) =>
        clusterRoom(rooms.get(gameRoomName(code), namespace), (name) => gameServers.get(name, namespace)),
    }),
    apiKeys: config.apiKeys,
    log,
    page: join(DEFAULT_WEB_ROOT, 'console.html'),
  });
  const headers = securityHeaders();
  const app = express();
  app.disable('x-powered-by');
  // Behind the chart's Ingress every client would otherwise be the Ingress pod (TRUST_PROXY).
  app.set('trust proxy', trustFunction(config.trustProxy));
  app.use(headers);
  app.use(express.json({ limit: '64kb' }));
  app.use(roomsApi.router);
  app.use(consoleApi.router);
  // The console page's scripts and styles (built with the players' page, which the operator never serves).
  app.use('/assets', express.static(join(DEFAULT_WEB_ROOT, 'assets'), { maxAge: '1h', index: false }));
  app.use(notFound);
  app.use(errorHandler(log));
  apiServer.on('request', app);

  const probes = express();
  probes.disable('x-powered-by');
  probes.use(headers);
  probes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  probes.get('/readyz', (_req, res) => {
    const ready = rooms.hasSynced && gameServers.hasSynced && store.health() === 'ok';
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', leader: elector?.isLeader ?? true });
  });
  probes.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  const probeServer = createServer(probes);
  const probePort = await listen(probeServer, config.probePort, config.host);

  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    probeUrl: `http://${shownHost}:${probePort}`,
    registry,
    isLeader: () => elector?.isLeader ?? true,
    shutdown() {
      stopping ??= (async () => {
        log.info('operator shutting down');
        consoleApi.close();
        await new Promise<void>((resolve) => apiServer.close(() => resolve()));
        apiServer.closeAllConnections();
        await controller.stop();
        await elector?.stop();
        await Promise.all([rooms.stop(), gameServers.stop()]);
        await webhooks?.close();
        roomsApi.close();
        await limits.close();
        await store.close();
        await new Promise<void>((resolve) => probeServer.close(() => resolve()));
        log.info('operator stopped');
      })();
      return stopping;
    },
  };
}

/** In a pod: its ServiceAccount. Elsewhere: KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}
