import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError, CreateRoomBody, describeZodError, normalizeRoomCode } from '@gamebuddies/protocol';
import { z } from 'zod';
import type { Logger } from 'pino';
import { apiKeyAuth, type ApiKey, type AuthenticatedLocals } from './apiKeys.js';
import type { RoomsBackend } from './backend.js';
import type { IdempotencyStore } from '@gamebuddies/rooms';
import { createdRoomBody, roomPageUrl } from './joinLinks.js';
import { buildOpenApiDocument } from './openapi.js';
import { corsFor, type CorsPolicy } from './edge/cors.js';
import { normalizeAddress } from './edge/trustProxy.js';
import type { GuessGuard } from './limits/guessGuard.js';

export interface RoomsApiOptions {
  backend: RoomsBackend;
  apiKeys: readonly ApiKey[];
  /** Public base URL of this API: join links point at its `/r/:code`. */
  publicUrl: () => string;
  idempotency: IdempotencyStore;
  log: Logger;
  /** Failed lookups spend the client address's budget of guesses (no code guessing on `/r/:code`). */
  guessGuard: GuessGuard;
  cors: CorsPolicy;
  /**
   * Old host links carry the token in the query (`/r/CODE?role=host&token=…`): still followed (the
   * redirect moves the token into the fragment) while true; refused with 400 when false.
   */
  legacyTokenLinks?: boolean;
  /** Observes room creation time (seconds). */
  observeCreation?: (seconds: number) => void;
}

const MAX_WAIT_MS = 30_000;
const WaitQuery = z.coerce.number().int().min(0).max(30).optional();
const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export interface RoomsApi {
  router: Router;
  close(): void;
}

/**
 * The Rooms API GameBuddies calls (`/v1/...`, behind API keys) and the public room lookup players
 * follow (`/r/:code`). Identical on every backend, so one client works everywhere.
 */
export function createRoomsApi(options: RoomsApiOptions): RoomsApi {
  const { backend } = options;
  const router = Router();
  const { guessGuard } = options;
  const openApi = buildOpenApiDocument();

  router.use('/r', corsFor(options.cors.public, 'GET'));
  router.use('/v1', corsFor(options.cors.api, 'GET, POST, DELETE'));

  router.get('/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const v1 = Router();
  v1.use(apiKeyAuth(options.apiKeys));

  v1.post('/rooms', async (req, res) => {
    const wait = WaitQuery.safeParse(req.query.wait);
    if (!wait.success) throw new AppError('BAD_REQUEST', `wait: ${describeZodError(wait.error)}`);
    const parsed = CreateRoomBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', describeZodError(parsed.error));
    const create = async () => {
      const started = performance.now();
      const room = await backend.createRoom(parsed.data, {
        waitMs: Math.min(MAX_WAIT_MS, (wait.data ?? 10) * 1000),
      });
      options.observeCreation?.((performance.now() - started) / 1000);
      const body = createdRoomBody(room, options.publicUrl());
      return { status: room.phase === 'Ready' ? 201 : 202, body };
    };

    const header = req.get('idempotency-key');
    if (header === undefined) {
      const { status, body } = await create();
      return void res.status(status).json(body);
    }
    const key = IdempotencyKey.safeParse(header);
    if (!key.success) throw new AppError('BAD_REQUEST', `Idempotency-Key: ${describeZodError(key.error)}`);
    const apiKey = (res.locals as AuthenticatedLocals).apiKey;
    const scoped = createHash('sha256').update(`${apiKey.id}:${key.data}`).digest('hex');
    const fingerprint = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex');
    const state = await options.idempotency.begin(scoped, fingerprint);
    if (state.state === 'done') {
      res.set('idempotent-replayed', 'true');
      return void res.status(state.response.status).json(state.response.body);
    }
    if (state.state === 'in-progress') {
      throw new AppError(
        'CONFLICT',
        'A request with this Idempotency-Key is still in progress; retry shortly',
      );
    }
    if (state.state === 'mismatch') {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different body');
    }
    try {
      const response = await create();
      await options.idempotency.complete(scoped, fingerprint, response);
      res.status(response.status).json(response.body);
    } catch (error) {
      await options.idempotency.abandon(scoped).catch(() => undefined);
      throw error;
    }
  });

  v1.get('/rooms/:code', async (req, res) => {
    res.json(await backend.getRoom(requireCode(req.params.code)));
  });

  v1.delete('/rooms/:code', async (req, res) => {
    await backend.deleteRoom(requireCode(req.params.code));
    res.status(204).end();
  });

  v1.get('/servers/:gameType', async (req, res) => {
    res.json({ servers: await backend.listServers(req.params.gameType) });
  });

  router.use('/v1', v1);

  router.get('/r/:code', async (req, res) => {
    // Pages served by a game server ask here when their server is gone: a public, credential-free
    // answer the configured origins may read (see cors).
    const address = clientAddress(req);
    const code = normalizeRoomCode(req.params.code);
    const legacyToken = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (legacyToken !== undefined && options.legacyTokenLinks === false) {
      throw new AppError('BAD_REQUEST', 'Tokens in the query are no longer accepted: use the link #token=…');
    }
    const attempt = await guessGuard.begin(address, code, false);
    if (!attempt.allowed) throw new AppError('RATE_LIMITED', 'Too many failed lookups; wait a minute');
    let location;
    try {
      location = await backend.locateRoom(requireCode(req.params.code));
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') await attempt.failed();
      else await attempt.released();
      throw error;
    }
    await attempt.succeeded(location.roomCode);
    res.set('cache-control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') return void res.json(location);
    const role = req.query.role === 'host' ? 'host' : 'player';
    if (legacyToken !== undefined) {
      res.set('deprecation', 'true');
      options.log.warn(
        { room: location.roomCode },
        'followed a join link with ?token= (deprecated: use #token=)',
      );
    }
    res.redirect(302, roomPageUrl(location.url, location.roomCode, role, legacyToken));
  });

  return { router, close: () => undefined };
}

function requireCode(raw: string): string {
  const code = normalizeRoomCode(raw);
  if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
  return code;
}

/** The address `trust proxy` (TRUST_PROXY) yields for this request. */
function clientAddress(req: Request): string {
  return normalizeAddress(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}
