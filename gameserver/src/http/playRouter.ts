import { Router } from 'express';
import { AppError } from '../errors.js';
import type { GameRegistry } from '../plugins/registry.js';
import type { KeyedRateLimiter } from '../realtime/rateLimiter.js';
import type { RoomService } from '../rooms/roomService.js';
import { createRoomFromBody, type RoomsApiDeps } from './roomsRouter.js';

export interface PlayApiDeps extends RoomsApiDeps {
  games: GameRegistry;
  openRoomCreation: boolean;
  creationLimiter: KeyedRateLimiter;
}

/**
 * What the bundled web page needs without an API key: the list of games and, when
 * OPEN_ROOM_CREATION is on (a laptop, a LAN party), creating a room. Rate-limited per address.
 */
export function playRouter(deps: PlayApiDeps): Router {
  const router = Router();

  router.get('/games', (_req, res) => {
    res.json({
      openRoomCreation: deps.openRoomCreation,
      games: deps.games.list().map((g) => ({
        gameType: g.gameType,
        displayName: g.displayName,
        minPlayers: g.minPlayers,
        maxPlayers: g.maxPlayers,
      })),
    });
  });

  router.post('/rooms', async (req, res) => {
    if (!deps.openRoomCreation) {
      throw new AppError('FORBIDDEN', 'Rooms are created through the Rooms API on this server');
    }
    if (!deps.creationLimiter.take(req.ip ?? 'unknown')) {
      throw new AppError('RATE_LIMITED', 'Too many rooms created from this address; wait a minute');
    }
    res.status(201).json(await createRoomFromBody(deps, req.body));
  });

  return router;
}

export interface RoomLookupDeps {
  service: RoomService;
  lookupLimiter: KeyedRateLimiter;
}

/**
 * `GET /r/:code`: public and rate-limited. Browsers are redirected to the room's join page; clients
 * asking for JSON get `{ roomCode, url, namespace }`. Join links point here so they survive a move.
 */
export function roomLookupRouter(deps: RoomLookupDeps): Router {
  const router = Router();
  router.get('/r/:code', async (req, res) => {
    const address = req.ip ?? 'unknown';
    if (!deps.lookupLimiter.hasToken(address))
      throw new AppError('RATE_LIMITED', 'Too many lookups; wait a minute');
    let room;
    try {
      room = await deps.service.getRoom(req.params.code);
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') deps.lookupLimiter.take(address);
      throw error;
    }
    const body = { roomCode: room.code, url: room.url, namespace: `/${room.gameType}` };
    if (req.accepts(['html', 'json']) === 'json') return void res.json(body);
    res.redirect(302, `${room.url}/?room=${room.code}&role=player`);
  });
  return router;
}
