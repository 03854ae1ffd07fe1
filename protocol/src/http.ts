/** Rooms API response bodies (the same on a single process, a local fleet and a cluster). */
export interface CreatedRoom {
  roomCode: string;
  gameType: string;
  url: string;
  hostToken: string;
  hostJoinUrl: string;
  playerJoinUrl: string;
  server: { id: string; url: string };
  createdAt: string;
}

export interface RoomSummary {
  roomCode: string;
  gameType: string;
  url: string;
  players: number;
  maxPlayers: number;
  phase: string;
  createdAt: string;
}

export interface ServerSummary {
  id: string;
  url: string;
  health: 'healthy' | 'degraded' | 'draining';
  /** Percent of room capacity in use. */
  load: number;
  currentRooms: number;
  maxRooms: number;
  players: number;
}
