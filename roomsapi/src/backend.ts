import type { CreateRoomBody, RoomLocation, RoomSummary, ServerSummary } from '@gamebuddies/protocol';

/** A room as a backend created it; the API adds the join links. */
export interface BackendRoom {
  roomCode: string;
  gameType: string;
  hostToken: string;
  /** The room's server, null while it waits for one. */
  url: string | null;
  server: { id: string; url: string } | null;
  createdAt: string;
  /** `Ready` once players can join; anything else is still on its way (answered with 202). */
  phase: string;
}

export interface CreateOptions {
  /** How long the caller will wait for the room to be ready (`?wait=`, at most 30 s). */
  waitMs: number;
}

/**
 * Where rooms are made. One API, three backends: the game server itself (one process), a local
 * fleet of game-server processes, or Kubernetes (GameRooms placed by the operator on Agones).
 * Failures are AppErrors (ROOM_NOT_FOUND, NO_CAPACITY, ...).
 */
export interface RoomsBackend {
  createRoom(input: CreateRoomBody, options: CreateOptions): Promise<BackendRoom>;
  getRoom(code: string): Promise<RoomSummary>;
  deleteRoom(code: string): Promise<void>;
  listServers(gameType: string): Promise<ServerSummary[]>;
  /** Where players of the room connect now (follows moves); ROOM_NOT_FOUND, or ROOM_MOVED-free. */
  locateRoom(code: string): Promise<RoomLocation>;
}
