import type { ErrorBody } from './errors.js';
import type { ChatMessage, PlayerRole, RoomSnapshot } from './room.js';

export type Ack = { ok: true; version: number } | { ok: false; error: ErrorBody };
export type AckFn = (response: Ack) => void;

export interface RoomJoined {
  roomCode: string;
  playerId: string;
  sessionToken: string;
  role: PlayerRole;
  room: RoomSnapshot;
}

export interface PlayerJoined {
  playerId: string;
  name: string;
  version: number;
  room: RoomSnapshot;
}

/** A relayed WebRTC signal (offer, answer or ICE candidates) as its receiver gets it. */
export interface RtcSignal {
  from: string;
  data: Record<string, unknown>;
}

export type LeaveReason = 'left' | 'kicked' | 'expired';
export type CloseReason = 'deleted' | 'expired' | 'kicked' | 'server_shutdown';

/** Events the server sends, by name. */
export interface ServerToClientEvents {
  'room:joined': (payload: RoomJoined) => void;
  'room:state': (snapshot: RoomSnapshot) => void;
  /**
   * A new seat was taken. `room` is the receiver's snapshot after the join: a join sends this one
   * frame to each member and no `room:state` (see docs/protocol.md).
   */
  'player:joined': (payload: PlayerJoined) => void;
  'player:left': (payload: { playerId: string; name: string; reason: LeaveReason; version: number }) => void;
  'chat:message': (payload: { message: ChatMessage; version: number }) => void;
  'room:closed': (payload: { reason: CloseReason }) => void;
  'server:shutdown': (payload: { reconnect: boolean }) => void;
  /** A WebRTC signal another player of the room sent to this player (games that relay them). */
  'rtc:signal': (payload: RtcSignal) => void;
}

/** Events the client sends; every one carries an ack. */
export interface ClientToServerEvents {
  'room:chat': (payload: { text: string }, ack: AckFn) => void;
  'game:action': (payload: { type: string; turn?: number; [key: string]: unknown }, ack: AckFn) => void;
  'room:kick': (payload: { playerId: string }, ack: AckFn) => void;
  'room:transfer-host': (payload: { playerId: string }, ack: AckFn) => void;
  'room:settings': (payload: Record<string, unknown>, ack: AckFn) => void;
  'room:leave': (payload: Record<string, never>, ack: AckFn) => void;
  /** Acked with the room's current version: a relay does not change the room. */
  'rtc:signal': (payload: { to: string; data: Record<string, unknown> }, ack: AckFn) => void;
  'room:return-to-lobby': (payload: Record<string, never>, ack: AckFn) => void;
}
