import type { RoomSnapshot, RoomSummary } from '@gamebuddies/protocol';
import type { AnyGamePlugin, Viewer } from '../plugins/gamePlugin.js';
import { viewContext } from '../plugins/gameContext.js';
import type { RoomRecord, RoomWithChat } from './roomRecord.js';

/** The room as one player may see it: the game's view for that player, never the raw state. */
export function snapshotFor(room: RoomWithChat, plugin: AnyGamePlugin, viewer: Viewer): RoomSnapshot {
  return {
    roomCode: room.code,
    gameType: room.gameType,
    version: room.version,
    hostId: room.hostId,
    phase: room.phase,
    maxPlayers: room.maxPlayers,
    settings: room.settings,
    players: room.players.map((p) => ({ id: p.id, name: p.name, role: p.role, connected: p.connected })),
    formerPlayers: room.formerPlayers ?? {},
    game: plugin.view(room.game, viewer, viewContext(room, plugin)),
    turn: plugin.turn ? plugin.turn(room.game) : null,
    chat: room.chat,
    results: room.results,
  };
}

export function summaryOf(room: RoomRecord): RoomSummary {
  return {
    roomCode: room.code,
    gameType: room.gameType,
    url: room.url,
    players: room.players.length,
    maxPlayers: room.maxPlayers,
    phase: room.phase,
    createdAt: new Date(room.createdAt).toISOString(),
  };
}
