import type { ChatMessage, PlayerRole, RoomPhase } from '@gamebuddies/protocol';

/** A seat in a room. It outlives the socket: a disconnected player keeps it for the grace window. */
export interface PlayerRecord {
  id: string;
  name: string;
  role: PlayerRole;
  connected: boolean;
  joinedAt: number;
  disconnectedAt: number | null;
  /** sha256 of the session token; the token itself is only ever known to its player. */
  sessionHash: string;
  /** Socket currently holding the seat, so a stale socket's disconnect cannot unseat a fresh one. */
  connectionId: string | null;
  /** Server that socket is connected to: if that server dies, the seat is freed by the room's owner. */
  serverId: string | null;
}

/** A timer is data in the room, so whichever server holds the room next can resume it. */
export interface TimerRecord {
  key: string;
  fireAt: number;
  data?: unknown;
}

/**
 * Everything stored about a room but its chat: the unit of change, versioned and written atomically.
 * The chat is kept beside it (`RoomWithChat`), so a chat line costs the store O(line), not O(history).
 */
export interface RoomRecord {
  code: string;
  gameType: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Server holding the room (created it, or adopted it when the holder died) and its public URL. */
  serverId: string;
  url: string;
  hostTokenHash: string;
  /** Player who claimed the seat with the host token; the token then rejoins that seat. */
  hostClaimedBy: string | null;
  hostId: string | null;
  hostName: string | null;
  maxPlayers: number;
  settings: Record<string, unknown>;
  phase: RoomPhase;
  players: PlayerRecord[];
  /**
   * Names of players who left, by id (the latest FORMER_PLAYERS_KEPT): a game's scores and results
   * still name them. Absent in rooms stored before it existed.
   */
  formerPlayers?: Record<string, string>;
  /** The game plugin's full state, hidden information included; never sent as is. */
  game: unknown;
  timers: TimerRecord[];
  results: unknown;
  /**
   * What happened to the room lately, with the version each change made (the latest ROOM_LOG_KEPT):
   * the operator's console shows it. Absent in rooms stored before it existed.
   */
  log?: RoomLogEntry[];
  /** The servers that held the room, oldest first (the latest SERVER_MOVES_KEPT). Absent in older rooms. */
  moves?: ServerMove[];
}

/**
 * A room as read from the store: the record with its chat, the latest CHAT_HISTORY_LIMIT lines,
 * oldest first. The store keeps the chat apart from the record: a change adds lines, never edits them.
 */
export interface RoomWithChat extends RoomRecord {
  chat: ChatMessage[];
}

/** One line of a room's history. `type` is the RoomEvent's type; `text` names people, never tokens. */
export interface RoomLogEntry {
  version: number;
  at: number;
  type: string;
  text: string;
  /** How many changes in a row this line stands for (game moves and chat lines are counted, not listed). */
  repeat?: number;
}

/** The room came to a server: created there, adopted after its server died, or moved on purpose. */
export interface ServerMove {
  serverId: string;
  url: string;
  at: number;
  reason: 'created' | 'failover' | 'moved';
}

export const ROOM_LOG_KEPT = 20;
export const SERVER_MOVES_KEPT = 20;

export const FORMER_PLAYERS_KEPT = 50;

/** Timer keys: the platform's own and the game's never collide. */
export const SEAT_TIMER_PREFIX = 'seat:';
export const GAME_TIMER_PREFIX = 'game:';
