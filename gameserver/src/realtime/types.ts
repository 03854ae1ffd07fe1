import type { Namespace, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, PlayerRole, ServerToClientEvents } from '@gamebuddies/protocol';
import type { TokenBucket } from '@gamebuddies/rooms-api';

export interface SocketData {
  roomCode: string;
  playerId: string;
  role: PlayerRole;
  /** Handed to the player in `room:joined`, then emptied: the store keeps only its hash. */
  sessionToken: string;
  actions: TokenBucket;
  /** Set once the connection handler ran; before that, a closing transport releases the seat itself. */
  welcomed: boolean;
}

export type GameServerIO = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
export type GameNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
export type GameSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** Room of the Socket.IO namespace that reaches one player's sockets (on any server). */
export function playerChannel(playerId: string): string {
  return `p:${playerId}`;
}
