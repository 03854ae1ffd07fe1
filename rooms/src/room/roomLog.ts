import type { RoomEvent } from './roomEvents.js';
import {
  ROOM_LOG_KEPT,
  SERVER_MOVES_KEPT,
  type RoomLogEntry,
  type RoomRecord,
  type ServerMove,
} from './roomRecord.js';

function nameOf(room: RoomRecord, playerId: string): string {
  return room.players.find((p) => p.id === playerId)?.name ?? room.formerPlayers?.[playerId] ?? playerId;
}

/** A line a person reads in the console: who did what; never a token. */
export function describeEvent(room: RoomRecord, event: RoomEvent): string {
  switch (event.type) {
    case 'created':
      return `created on ${room.serverId}`;
    case 'joined':
      return `${event.name} joined`;
    case 'rejoined':
      return `${nameOf(room, event.playerId)} is back`;
    case 'disconnected':
      return `${nameOf(room, event.playerId)} lost the connection`;
    case 'left':
      return event.reason === 'kicked'
        ? `${event.name} was kicked`
        : event.reason === 'expired'
          ? `${event.name}'s seat expired`
          : `${event.name} left`;
    case 'chat':
      // The words are in the room's chat already: the history only says who spoke (rooms stay small).
      return `${event.message.name} wrote in the chat`;
    case 'state':
      return 'state changed';
    case 'finished':
      return 'game finished';
    case 'phase':
      return `phase ${event.from} → ${event.to}`;
    case 'returned':
      return 'back to the lobby';
    case 'closed':
      return `closed (${event.reason})`;
    case 'moved':
      return `${event.reason === 'failover' ? 'failed over' : 'moved'} from ${event.from} to ${event.to}`;
    case 'console':
      return `console: ${event.text}`;
  }
}

/**
 * The room's history with the change's events added, stamped with the version the change gave the
 * room, so the history travels with the room. The latest ROOM_LOG_KEPT lines are kept.
 */
export function withLog(
  previous: readonly RoomLogEntry[] | undefined,
  events: readonly RoomEvent[],
  draft: RoomRecord,
  version: number,
  at: number,
): RoomLogEntry[] {
  // Entries are never edited in place (the last one is replaced by a copy): `previous` may be shared,
  // and frozen (the memory store's); a loop copies a frozen array many times faster than `slice`,
  // and an indexed one allocates no iterator result per entry.
  const log: RoomLogEntry[] = [];
  if (previous) for (let i = 0; i < previous.length; i++) log.push(previous[i]!);
  for (const event of events) {
    const latest = log[log.length - 1];
    // Game moves and chat lines come one after another: one line counts them, so they never push out
    // the rest (who joined, who left), and a chat line costs the history no new entry.
    if ((event.type === 'state' || event.type === 'chat') && latest?.type === event.type) {
      const last = { ...latest };
      log[log.length - 1] = last;
      last.repeat = (last.repeat ?? 1) + 1;
      last.text =
        event.type === 'chat'
          ? `${last.repeat} chat lines, the latest from ${event.message.name}`
          : `state changed ×${last.repeat}`;
      last.version = version;
      last.at = at;
      continue;
    }
    log.push({ version, at, type: event.type, text: describeEvent(draft, event) });
  }
  if (log.length > ROOM_LOG_KEPT) log.splice(0, log.length - ROOM_LOG_KEPT);
  return log;
}

export function appendMove(draft: RoomRecord, move: ServerMove): void {
  const moves = (draft.moves ??= []);
  moves.push(move);
  if (moves.length > SERVER_MOVES_KEPT) moves.splice(0, moves.length - SERVER_MOVES_KEPT);
}
