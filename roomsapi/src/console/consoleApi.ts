import { existsSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import {
  AppError,
  ConsoleCloseBody,
  ConsoleDrainBody,
  ConsoleMoveBody,
  ConsolePlayerBody,
  describeZodError,
  normalizeRoomCode,
  type ConsoleOverview,
  type ConsoleRoomRow,
} from '@gamebuddies/protocol';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { apiKeyAuth, type ApiKey, type AuthenticatedLocals } from '../apiKeys.js';
import type { ConsoleSource } from './consoleSource.js';
import { ConsoleFeed } from './consoleFeed.js';

export interface ConsoleApiOptions {
  source: ConsoleSource;
  apiKeys: readonly ApiKey[];
  log: Logger;
  /** The built console page (`web/dist/console.html`); without it `/console` answers 404. */
  page?: string | undefined;
  /** How often live consoles are sent a fresh picture, at most (one read per tick for all of them). */
  tickMs?: number;
  /** Live consoles one front serves at once; more are refused with 503. */
  maxStreams?: number;
  /** Metrics hooks: an action done, the number of live consoles. */
  onAction?: (action: string) => void;
  onStreams?: (open: number) => void;
}

export interface ConsoleApi {
  router: Router;
  close(): void;
}

const SORTS = [
  'code',
  'gameType',
  'phase',
  'players',
  'serverId',
  'version',
  'createdAt',
  'updatedAt',
] as const;

/** Search (code, game, server, phase) and sort of the console's room list, as `GET .../rooms` answers it. */
export function filterRooms(
  rooms: readonly ConsoleRoomRow[],
  query: { q?: string | undefined; sort?: string | undefined; dir?: string | undefined },
): ConsoleRoomRow[] {
  const q = query.q?.trim().toLowerCase();
  const sort = (SORTS as readonly string[]).includes(query.sort ?? '')
    ? (query.sort as (typeof SORTS)[number])
    : 'updatedAt';
  const dir = query.dir === 'asc' ? 1 : query.dir === 'desc' ? -1 : sort === 'updatedAt' ? -1 : 1;
  const found = q
    ? rooms.filter((r) =>
        [r.code, r.gameType, r.serverId, r.phase].some((field) => field.toLowerCase().includes(q)),
      )
    : [...rooms];
  return found.sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    return (
      (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir
    );
  });
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const missingConfirm = parsed.error.issues.some((i) => i.path[0] === 'confirm');
    throw new AppError(
      'BAD_REQUEST',
      missingConfirm ? 'Actions must be confirmed: send "confirm": true' : describeZodError(parsed.error),
    );
  }
  return parsed.data;
}

function roomCode(raw: string | undefined): string {
  const code = normalizeRoomCode(raw ?? '');
  if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
  return code;
}

/**
 * The operator's console: `/console` (the page) and `/console/api/...` behind the Rooms API keys.
 * Read-only keys see everything; only full (admin) keys act. Every action is confirmed in its body,
 * logged with the key's id, and written by the source into the room's own history. Same-origin only
 * (no CORS), and the key travels in a header, never in a URL.
 */
export function createConsoleApi(options: ConsoleApiOptions): ConsoleApi {
  const { source, log } = options;
  const router = Router();
  const feed = new ConsoleFeed(source, log, {
    tickMs: options.tickMs ?? 1000,
    maxStreams: options.maxStreams ?? 20,
    ...(options.onStreams ? { onStreams: options.onStreams } : {}),
  });

  router.get('/console', (_req, res) => {
    // No key configured: no console at all on this origin (the players' page stays alone).
    if (options.apiKeys.length === 0 || !options.page || !existsSync(options.page)) {
      throw new AppError('NOT_FOUND', 'The console needs API_KEYS and the built page');
    }
    // The page is only a form for the key: every datum it shows comes from the API below.
    res.set('cache-control', 'no-store');
    res.set('x-robots-tag', 'noindex');
    res.sendFile(options.page);
  });

  const api = Router();
  api.use(apiKeyAuth(options.apiKeys));
  api.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  api.get('/overview', async (_req, res) => {
    const readOnly = (res.locals as AuthenticatedLocals).apiKey.scope === 'read';
    res.json({ ...(await source.overview()), readOnly });
  });
  api.get('/servers', async (_req, res) => {
    res.json({ servers: (await source.overview()).servers });
  });
  api.get('/rooms', async (req, res) => {
    const overview = await source.overview();
    const query = req.query as Record<string, string | undefined>;
    res.json({ rooms: filterRooms(overview.rooms, query), truncated: overview.truncated });
  });
  api.get('/rooms/:code', async (req, res) => {
    res.json(await source.room(roomCode(req.params.code)));
  });
  api.get('/stream', (req, res) => {
    const watch = typeof req.query.room === 'string' ? normalizeRoomCode(req.query.room) : undefined;
    feed.subscribe(req, res, watch || undefined);
  });

  const acted = (req: Request, res: Response, action: string, target: Record<string, string>) => {
    const key = (res.locals as AuthenticatedLocals).apiKey;
    log.info({ action, ...target, apiKey: key.id }, 'console action');
    options.onAction?.(action);
    feed.poke();
    res.json({ ok: true, action, ...target });
    void req;
  };

  api.post('/rooms/:code/close', async (req, res) => {
    parse(ConsoleCloseBody, req.body);
    const room = roomCode(req.params.code);
    await source.close(room);
    acted(req, res, 'close', { room });
  });
  api.post('/rooms/:code/kick', async (req, res) => {
    const { playerId } = parse(ConsolePlayerBody, req.body);
    const room = roomCode(req.params.code);
    await source.kick(room, playerId);
    acted(req, res, 'kick', { room, playerId });
  });
  api.post('/rooms/:code/host', async (req, res) => {
    const { playerId } = parse(ConsolePlayerBody, req.body);
    const room = roomCode(req.params.code);
    await source.setHost(room, playerId);
    acted(req, res, 'host', { room, playerId });
  });
  api.post('/rooms/:code/move', async (req, res) => {
    const { serverId } = parse(ConsoleMoveBody, req.body);
    const room = roomCode(req.params.code);
    await source.move(room, serverId);
    acted(req, res, 'move', { room, serverId });
  });
  api.post('/servers/:id/drain', async (req, res) => {
    parse(ConsoleDrainBody, req.body);
    const serverId = String(req.params.id);
    await source.drain(serverId);
    acted(req, res, 'drain', { serverId });
  });

  router.use('/console/api', api);
  return { router, close: () => feed.close() };
}

export type { ConsoleOverview };
