import { Router } from 'express';
import {
  CreateRoomBody,
  describeZodError,
  type CreatedRoom,
  type ServerSummary,
} from '@gamebuddies/protocol';
import { AppError } from '../errors.js';
import type { RoomRecord } from '../rooms/roomRecord.js';
import type { RoomService } from '../rooms/roomService.js';
import { summaryOf } from '../rooms/snapshot.js';

export interface RoomsApiDeps {
  service: RoomService;
  observeCreation: (seconds: number) => void;
  servers: (gameType: string) => Promise<ServerSummary[]>;
}

export function createdRoomBody(room: RoomRecord, hostToken: string): CreatedRoom {
  const base = `${room.url}/?room=${room.code}`;
  return {
    roomCode: room.code,
    gameType: room.gameType,
    url: room.url,
    hostToken,
    hostJoinUrl: `${base}&role=host&token=${encodeURIComponent(hostToken)}`,
    playerJoinUrl: `${base}&role=player`,
    server: { id: room.serverId, url: room.url },
    createdAt: new Date(room.createdAt).toISOString(),
  };
}

/** Parses and creates; shared by the keyed Rooms API and the page's open creation endpoint. */
export async function createRoomFromBody(deps: RoomsApiDeps, body: unknown): Promise<CreatedRoom> {
  const parsed = CreateRoomBody.safeParse(body ?? {});
  if (!parsed.success) throw new AppError('BAD_REQUEST', describeZodError(parsed.error));
  const started = performance.now();
  const { room, hostToken } = await deps.service.createRoom(parsed.data);
  deps.observeCreation((performance.now() - started) / 1000);
  return createdRoomBody(room, hostToken);
}

/** The Rooms API GameBuddies calls (`/v1`), behind API keys. */
export function roomsRouter(deps: RoomsApiDeps): Router {
  const router = Router();

  router.post('/rooms', async (req, res) => {
    res.status(201).json(await createRoomFromBody(deps, req.body));
  });

  router.get('/rooms/:code', async (req, res) => {
    res.json(summaryOf(await deps.service.getRoom(req.params.code)));
  });

  router.delete('/rooms/:code', async (req, res) => {
    await deps.service.closeRoom(req.params.code, 'deleted');
    res.status(204).end();
  });

  router.get('/servers/:gameType', async (req, res) => {
    deps.service.pluginFor(req.params.gameType);
    res.json({ servers: await deps.servers(req.params.gameType) });
  });

  return router;
}
