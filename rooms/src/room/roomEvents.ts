import type { ChatMessage, CloseReason, LeaveReason, RoomPhase } from '@gamebuddies/protocol';
import type { RoomWithChat } from './roomRecord.js';

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
  | { type: 'closed'; reason: CloseReason }
  /** The room came to another server (`failover`: its server died; `moved`: an orchestrator or the console). */
  | { type: 'moved'; from: string; to: string; reason: 'failover' | 'moved' }
  /** An operator acted on the room from the console (kick, host, close, move). */
  | { type: 'console'; action: string; text: string };

export interface RoomUpdate {
  /**
   * The room as saved (for `closed`, as it was last saved). After a change made with
   * `{ chat: 'added' }` (a chat line), `room.chat` holds only the lines it added: the history is not
   * read back for it (see `ChangeOptions.chat`).
   */
  room: RoomWithChat;
  events: RoomEvent[];
  /** The room's timers changed: whoever runs them must re-arm. */
  timersChanged: boolean;
}

export type RoomUpdateListener = (update: RoomUpdate) => void;
