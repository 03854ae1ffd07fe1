import { z } from 'zod';
import { ErrorCodes } from './errors.js';

/**
 * Rooms API response bodies (the same on a single process, a local fleet and a cluster), as zod
 * schemas: responses are checked against them in tests, and the
 * OpenAPI document served at /v1/openapi.json is generated from them, so the two cannot drift.
 */

export const ErrorResponse = z
  .object({
    error: z.object({ code: z.enum(ErrorCodes), message: z.string() }),
  })
  .meta({ id: 'Error' });

const ServerRef = z.object({ id: z.string(), url: z.string() });

export const CreatedRoom = z
  .object({
    roomCode: z.string().regex(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/),
    gameType: z.string(),
    /** The room's current server; null while the room waits for one (202). */
    url: z.string().nullable(),
    hostToken: z.string().min(22),
    hostJoinUrl: z.string(),
    playerJoinUrl: z.string(),
    server: ServerRef.nullable(),
    createdAt: z.iso.datetime(),
    /** Where the room is in its life: `Ready` once players can join. */
    phase: z.string(),
  })
  .meta({ id: 'CreatedRoom' });
export type CreatedRoom = z.infer<typeof CreatedRoom>;

export const RoomSummary = z
  .object({
    roomCode: z.string(),
    gameType: z.string(),
    url: z.string().nullable(),
    players: z.number().int().min(0),
    maxPlayers: z.number().int(),
    phase: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'RoomSummary' });
export type RoomSummary = z.infer<typeof RoomSummary>;

export const ServerSummary = z
  .object({
    id: z.string(),
    url: z.string(),
    health: z.enum(['healthy', 'degraded', 'draining', 'unhealthy']),
    load: z.number().min(0),
    currentRooms: z.number().int().min(0),
    maxRooms: z.number().int().min(0),
    players: z.number().int().min(0),
  })
  .meta({ id: 'ServerSummary' });
export type ServerSummary = z.infer<typeof ServerSummary>;

export const ServerList = z.object({ servers: z.array(ServerSummary) }).meta({ id: 'ServerList' });

export const RoomLocation = z
  .object({ roomCode: z.string(), url: z.string(), namespace: z.string() })
  .meta({ id: 'RoomLocation' });
export type RoomLocation = z.infer<typeof RoomLocation>;

/**
 * A game setting as the page's settings form shows it (GET /play/games): a number with its range, a
 * choice among options, a switch, or a list of lines. Made from the game's settings schema.
 */
export type SettingField = { key: string; label: string } & (
  | { kind: 'number'; min: number; max: number; default?: number }
  | { kind: 'choice'; options: string[]; default?: string }
  | { kind: 'switch'; default?: boolean }
  | { kind: 'lines'; minItems?: number; maxItems?: number; maxLength?: number }
);
