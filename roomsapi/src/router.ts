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
import { KeyedRateLimiter } from './rateLimiter.js';

export interface RoomsApiOptions {
  backend: RoomsBackend;
  apiKeys: readonly ApiKey[];
  /** Public base URL of this API: join links point at its `/r/:code`. */
  publicUrl: () => string;
  idempotency: IdempotencyStore;
  log: Logger;
  /** Failed lookups per client address and minute on the public `/r/:code` (no code guessing). */
  lookupFailuresPerMinute?: number;
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
  const lookupFailures = new KeyedRateLimiter(
    (options.lookupFailuresPerMinute ?? 30) / 60,
    options.lookupFailuresPerMinute ?? 30,
  );
  const openApi = buildOpenApiDocument();

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
    // answer any origin may read.
    res.set('access-control-allow-origin', '*');
    const address = clientAddress(req);
    if (!lookupFailures.hasToken(address)) {
      throw new AppError('RATE_LIMITED', 'Too many failed lookups; wait a minute');
    }
    let location;
    try {
      location = await backend.locateRoom(requireCode(req.params.code));
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') lookupFailures.take(address);
      throw error;
    }
    res.set('cache-control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') return void res.json(location);
    const role = req.query.role === 'host' ? 'host' : 'player';
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    res.redirect(302, roomPageUrl(location.url, location.roomCode, role, token));
  });

  return { router, close: () => lookupFailures.close() };
}

function requireCode(raw: string): string {
  const code = normalizeRoomCode(raw);
  if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
  return code;
}

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
