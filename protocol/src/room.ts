export type PlayerRole = 'host' | 'player';

/** Room phase as the platform sees it; a game's own stages live inside `game`. */
export type RoomPhase = 'lobby' | 'playing' | 'finished';

export interface PlayerSummary {
  id: string;
  name: string;
  role: PlayerRole;
  connected: boolean;
}

export interface ChatMessage {
  id: string;
  playerId: string;
  name: string;
  text: string;
  at: number;
}

/** What one player sees of a room. `game` is the game's view for that player (hidden info removed). */
export interface RoomSnapshot {
  roomCode: string;
  gameType: string;
  version: number;
  hostId: string | null;
  phase: RoomPhase;
  maxPlayers: number;
  settings: Record<string, unknown>;
  players: PlayerSummary[];
  /** Names of players who left (id → name), so scores and results still say who they were. */
  formerPlayers: Record<string, string>;
  game: unknown;
  /**
   * The game's turn (see the plugin's `turn`): send it back with a game action so the server applies
   * the action only while the game is still where the player saw it. null for games without turns.
   */
  turn: number | null;
  chat: ChatMessage[];
  results: unknown;
}

/** Chat kept in a room (and in its snapshot). */
export const CHAT_HISTORY_LIMIT = 100;
