import { Router } from 'express';
import { AppError, normalizeRoomCode } from '@gamebuddies/protocol';
import { apiKeyAuth, type ApiKey } from '@gamebuddies/rooms-api';
import type { RoomOwnership, RoomService } from '@gamebuddies/rooms';

export interface InternalDeps {
  apiKeys: readonly ApiKey[];
  ownership: RoomOwnership;
  service: RoomService;
}

/**
 * Operations an orchestrator (the local fleet) asks of one game server, behind the admin API key.
 * Not part of the public Rooms API.
 */
export function internalRouter(deps: InternalDeps): Router {
  const router = Router();
  router.use(apiKeyAuth(deps.apiKeys.filter((k) => k.scope === 'admin')));

  /** Run this room here: take its lease and, if its server is gone, adopt it (its URL becomes ours). */
  router.post('/rooms/:code/claim', async (req, res) => {
    const code = normalizeRoomCode(req.params.code);
    if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
    const claimed = await deps.ownership.claim(code);
    const room = await deps.service.getRoom(code);
    res.json({ claimed, roomCode: code, serverId: room.serverId, url: room.url });
  });

  return router;
}
