import { AppError, normalizeRoomCode } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { PlayerRecord, RoomRecord } from '../room/roomRecord.js';

/** What the rules of a room need from the service that runs them. */
export interface RulesContext {
  readonly serverId: string;
  readonly reconnectGraceMs: number;
  readonly log: Logger;
  pluginFor(gameType: string): AnyGamePlugin;
}

export function requireCode(raw: string): string {
  const code = normalizeRoomCode(raw);
  if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
  return code;
}

export function requirePlayer(room: RoomRecord, playerId: string): PlayerRecord {
  const player = room.players.find((p) => p.id === playerId);
  if (!player) throw new AppError('PLAYER_NOT_FOUND', 'No such player in this room');
  return player;
}

export function requireHost(room: RoomRecord, playerId: string): PlayerRecord {
  const player = requirePlayer(room, playerId);
  if (room.hostId !== player.id) throw new AppError('NOT_HOST', 'Only the host can do that');
  return player;
}
