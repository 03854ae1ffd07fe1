import { AppError, type CreateRoomBody } from '@gamebuddies/protocol';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { RoomRecord } from '../room/roomRecord.js';
import { hashToken, newSecretToken } from '../room/tokens.js';
import { parseSettings, runHook } from './pluginRunner.js';
import type { RulesContext } from './roomRules.js';

/**
 * A new room's record (its code still to be chosen) and the host token, known only to the caller:
 * the record keeps its hash.
 */
export function newRoomRecord(
  ctx: RulesContext,
  plugin: AnyGamePlugin,
  input: CreateRoomBody,
  publicUrl: string,
): { room: RoomRecord; hostToken: string } {
  const maxPlayers = input.maxPlayers ?? Math.min(plugin.maxPlayers, 100);
  if (maxPlayers > plugin.maxPlayers || maxPlayers < plugin.minPlayers) {
    throw new AppError(
      'INVALID_SETTINGS',
      `${plugin.displayName} is played by ${plugin.minPlayers} to ${plugin.maxPlayers} players`,
    );
  }
  const settings = parseSettings(plugin, input.settings ?? {});
  const hostToken = newSecretToken();
  const now = Date.now();
  const room: RoomRecord = {
    code: '',
    gameType: plugin.gameType,
    version: 1,
    createdAt: now,
    updatedAt: now,
    serverId: ctx.serverId,
    url: publicUrl,
    hostTokenHash: hashToken(hostToken),
    hostClaimedBy: null,
    hostId: null,
    hostName: input.hostName ?? null,
    maxPlayers,
    settings,
    phase: 'lobby',
    players: [],
    game: null,
    timers: [],
    results: null,
    moves: [{ serverId: ctx.serverId, url: publicUrl, at: now, reason: 'created' }],
    // Last: a change's history is added to the stored JSON without stringifying the room again.
    log: [{ version: 1, at: now, type: 'created', text: `created on ${ctx.serverId}` }],
  };
  runHook(plugin, ctx.log, room, now, (gameCtx) => {
    room.game = plugin.createState(gameCtx);
  });
  return { room, hostToken };
}
