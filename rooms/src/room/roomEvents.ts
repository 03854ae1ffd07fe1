import type { ChatMessage, CloseReason, LeaveReason, RoomPhase } from '@gamebuddies/protocol';
import type { RoomRecord } from './roomRecord.js';

/** What happened in one saved change; listeners turn these into broadcasts, timers and metrics. */
export type RoomEvent =
  | { type: 'created' }
  | { type: 'joined'; playerId: string; name: string }
  | { type: 'rejoined'; playerId: string }
  | { type: 'disconnected'; playerId: string }
  | { type: 'left'; playerId: string; name: string; reason: LeaveReason }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'state' }
  | { type: 'finished' }
  | { type: 'phase'; from: RoomPhase; to: RoomPhase }
  | { type: 'returned' }
  | { type: 'closed'; reason: CloseReason };

export interface RoomUpdate {
  /** The room as saved (for `closed`, as it was last saved). */
  room: RoomRecord;
  events: RoomEvent[];
  /** The room's timers changed: whoever runs them must re-arm. */
  timersChanged: boolean;
}

export type RoomUpdateListener = (update: RoomUpdate) => void;
