import express, { type Express } from 'express';
import type { GameRegistry } from '@gamebuddies/rooms';
import {
  errorHandler,
  notFound,
  securityHeaders,
  type KeyedLimiter,
  type ConsoleApi,
  type RoomsApi,
  type TrustFunction,
} from '@gamebuddies/rooms-api';
import type { Logger } from '@gamebuddies/rooms';
import { healthRouter, type HealthDeps } from './healthRouter.js';
import { internalRouter, type InternalDeps } from './internalRouter.js';
import { playRouter } from './playRouter.js';
import type { LocalRoomsBackend } from './localRoomsBackend.js';

export interface HttpAppDeps {
  log: Logger;
  /** TRUST_PROXY as Express takes it: which proxies may name the client. */
  trust: TrustFunction;
  health: HealthDeps;
  roomsApi: RoomsApi;
  /** The operator's console (`/console`), behind the same API keys. */
  consoleApi: ConsoleApi;
  internal: InternalDeps;
  play: {
    backend: LocalRoomsBackend;
    games: GameRegistry;
    openRoomCreation: boolean;
    creationLimiter: KeyedLimiter;
    corsAllowed: (origin: string) => boolean;
    publicUrl: () => string;
    lookupUrl: () => string;
  };
  /** Folder of the web client served at `/`. */
  webRoot: string;
}

/** Every HTTP route of a game server: health, the Rooms API, the page's API and the page itself. */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trust);
  app.use(securityHeaders());
  app.use(express.json({ limit: '64kb' }));
  app.use(healthRouter(deps.health));
  app.use(deps.roomsApi.router);
  app.use(deps.consoleApi.router);
  app.use('/internal', internalRouter(deps.internal));
  app.use('/play', playRouter(deps.play));
  app.use(express.static(deps.webRoot, { index: 'index.html', maxAge: '1h' }));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
