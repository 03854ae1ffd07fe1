import { Router } from 'express';
import { AppError, CreateRoomBody, describeZodError } from '@gamebuddies/protocol';
import {
  corsFor,
  createdRoomBody,
  normalizeAddress,
  type KeyedLimiter,
  type RoomsBackend,
} from '@gamebuddies/rooms-api';
import type { GameRegistry } from '@gamebuddies/rooms';
import { settingFields } from './settingFields.js';
export interface PlayApiDeps {
  backend: RoomsBackend;
  games: GameRegistry;
  openRoomCreation: boolean;
  /** Rooms created per client address (ROOM_CREATIONS_PER_MINUTE), shared through Redis when set. */
  creationLimiter: KeyedLimiter;
  /** Origins whose pages may call these routes (CORS_ORIGINS and this server's own). */
  corsAllowed: (origin: string) => boolean;
  publicUrl: () => string;
  /** Where pages look their room up when it moves (see LOOKUP_URL). */
  lookupUrl: () => string;
}

/**
 * What the bundled web page needs without an API key: the list of games and, when
 * OPEN_ROOM_CREATION is on (a laptop, a LAN party), creating a room. Rate-limited per address.
 */
export function playRouter(deps: PlayApiDeps): Router {
  const router = Router();
  router.use(corsFor(deps.corsAllowed, 'GET, POST'));

  router.get('/games', (_req, res) => {
    res.json({
      openRoomCreation: deps.openRoomCreation,
      lookupUrl: deps.lookupUrl(),
      games: deps.games.list().map((g) => ({
        gameType: g.gameType,
        displayName: g.displayName,
        minPlayers: g.minPlayers,
        maxPlayers: g.maxPlayers,
        settings: settingFields(g),
      })),
    });
  });

  router.post('/rooms', async (req, res) => {
    if (!deps.openRoomCreation) {
      throw new AppError('FORBIDDEN', 'Rooms are created through the Rooms API on this server');
    }
    if (
      !(await deps.creationLimiter.take(normalizeAddress(req.ip ?? req.socket.remoteAddress ?? 'unknown')))
    ) {
      throw new AppError('RATE_LIMITED', 'Too many rooms created from this address; wait a minute');
    }
    const parsed = CreateRoomBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', describeZodError(parsed.error));
    const room = await deps.backend.createRoom(parsed.data, { waitMs: 10_000 });
    res.status(201).json(createdRoomBody(room, deps.publicUrl()));
  });

  return router;
}
