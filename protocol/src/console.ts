import { z } from 'zod';
import type { PlayerRole, RoomPhase } from './room.js';

/**
 * The operator's console (`/console`, behind the Rooms API keys): what its API answers and the
 * bodies of its actions. The page and every front (game server, local fleet, operator) share these.
 */
export interface ConsoleServer {
  id: string;
  /** Where players reach it; null when only its heartbeat is known. */
  url: string | null;
  /** `down` when its heartbeat expired (or its process died) but rooms still name it. */
  health: 'healthy' | 'degraded' | 'draining' | 'down';
  rooms: number;
  /** Players whose socket is on this server now. */
  players: number;
  /** Rooms held against the most it takes, in percent; null when unknown. */
  load: number | null;
  draining: boolean;
}

export interface ConsoleRoomRow {
  code: string;
  gameType: string;
  phase: RoomPhase;
  connected: number;
  players: number;
  maxPlayers: number;
  serverId: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ConsolePlayer {
  id: string;
  name: string;
  role: PlayerRole;
  connected: boolean;
  serverId: string | null;
  joinedAt: number;
  disconnectedAt: number | null;
}

export interface ConsoleRoomDetail extends ConsoleRoomRow {
  url: string;
  hostId: string | null;
  settings: Record<string, unknown>;
  seats: ConsolePlayer[];
  /** What each role is shown of the game (hidden information stays hidden per role). */
  views: { role: PlayerRole; playerName: string; game: unknown }[];
  log: { version: number; at: number; type: string; text: string }[];
  /** The last chat lines, newest last. */
  chat: { name: string; text: string; at: number }[];
  timers: { key: string; fireAt: number }[];
  moves: { serverId: string; url: string; at: number; reason: string }[];
  /** On a cluster (the operator's console): the room's GameRoom and the Agones GameServer it is on. */
  cluster?: ConsoleClusterRoom;
}

export interface ConsoleClusterRoom {
  gameRoom: {
    name: string;
    phase: string | null;
    failovers: number;
    conditions: { type: string; status: string; reason: string; message: string; at: string }[];
  } | null;
  gameServer: { name: string; state: string | null; address: string | null; node: string | null } | null;
}

export interface ConsoleOverview {
  at: number;
  servers: ConsoleServer[];
  rooms: ConsoleRoomRow[];
  /** More rooms exist than a console is sent. */
  truncated: boolean;
  /** What this front can do: actions it refuses are hidden in the page. */
  actions: ConsoleActionName[];
  /** Set by `GET /console/api/overview`: the key asking may only look. */
  readOnly?: boolean;
}

export const ConsoleActionNames = ['close', 'kick', 'host', 'move', 'drain'] as const;
export type ConsoleActionName = (typeof ConsoleActionNames)[number];

/** Every action is confirmed: the body must say so, so a stray request never acts. */
const Confirmed = z.object({ confirm: z.literal(true) });
export const ConsoleCloseBody = Confirmed.strict();
export const ConsolePlayerBody = Confirmed.extend({ playerId: z.string().min(1).max(64) }).strict();
export const ConsoleMoveBody = Confirmed.extend({ serverId: z.string().min(1).max(128) }).strict();
export const ConsoleDrainBody = Confirmed.strict();
