import { AppError, describeForPeople } from '@gamebuddies/protocol';
import type { RoomEvent } from '../room/roomEvents.js';
import { GAME_TIMER_PREFIX, SEAT_TIMER_PREFIX, type RoomRecord } from '../room/roomRecord.js';
import { parseSettings, runHook } from './pluginRunner.js';
import { requireHost, requirePlayer, type RulesContext } from './roomRules.js';
import { removePlayer } from './seats.js';

/** A player's game action, validated by the game's schema, applied by the game. */
export function act(
  ctx: RulesContext,
  draft: RoomRecord,
  playerId: string,
  payload: Record<string, unknown>,
  events: RoomEvent[],
): void {
  const actor = requirePlayer(draft, playerId);
  const plugin = ctx.pluginFor(draft.gameType);
  const { turn, ...action } = payload;
  if (turn !== undefined && plugin.turn && plugin.turn(draft.game) !== turn) {
    throw new AppError('STALE_ACTION', 'The game has moved on: that action was for an earlier turn');
  }
  const parsed = plugin.actionSchema.safeParse(action);
  if (!parsed.success) throw new AppError('INVALID_ACTION', describeForPeople(parsed.error));
  const finished = runHook(plugin, ctx.log, draft, Date.now(), (_gameCtx, withActor) => {
    draft.game = plugin.onAction(draft.game, parsed.data, withActor(actor));
  });
  events.push({ type: 'state' });
  if (finished) events.push({ type: 'finished' });
}

/** The host changes the room's settings between games (maxPlayers and the game's own). */
export function updateSettings(
  ctx: RulesContext,
  draft: RoomRecord,
  actorId: string,
  payload: Record<string, unknown>,
  events: RoomEvent[],
): void {
  requireHost(draft, actorId);
  if (draft.phase === 'playing') throw new AppError('INVALID_ACTION', 'Settings cannot change during a game');
  const plugin = ctx.pluginFor(draft.gameType);
  const { maxPlayers, ...gameSettings } = payload;
  if (maxPlayers !== undefined) {
    const max = Number(maxPlayers);
    const least = Math.max(plugin.minPlayers, draft.players.length);
    if (max < least || max > plugin.maxPlayers) {
      throw new AppError(
        'INVALID_SETTINGS',
        `Max players must be between ${least} and ${plugin.maxPlayers}.`,
      );
    }
    draft.maxPlayers = max;
  }
  draft.settings = parseSettings(plugin, { ...draft.settings, ...gameSettings });
  events.push({ type: 'state' });
}

/**
 * The host sends everyone back to the lobby (the seed's "return to lobby"): the game starts over
 * from fresh state and GameBuddies is told, so it can take the players back to its own lobby.
 */
export function returnToLobby(
  ctx: RulesContext,
  draft: RoomRecord,
  actorId: string,
  events: RoomEvent[],
): void {
  requireHost(draft, actorId);
  const plugin = ctx.pluginFor(draft.gameType);
  draft.timers = draft.timers.filter((t) => !t.key.startsWith(GAME_TIMER_PREFIX));
  draft.results = null;
  draft.phase = 'lobby';
  runHook(plugin, ctx.log, draft, Date.now(), (gameCtx) => {
    draft.game = plugin.createState(gameCtx);
  });
  events.push({ type: 'returned' }, { type: 'state' });
}

/** Runs every timer of the room that is due, oldest first: seat releases and the game's own timers. */
export function fireDueTimers(ctx: RulesContext, draft: RoomRecord, events: RoomEvent[]): void {
  const now = Date.now();
  const due = draft.timers.filter((t) => t.fireAt <= now).sort((a, b) => a.fireAt - b.fireAt);
  if (due.length === 0) return;
  draft.timers = draft.timers.filter((t) => t.fireAt > now);
  const plugin = ctx.pluginFor(draft.gameType);
  for (const timer of due) {
    if (timer.key.startsWith(SEAT_TIMER_PREFIX)) {
      const player = draft.players.find((p) => p.id === timer.key.slice(SEAT_TIMER_PREFIX.length));
      if (player && !player.connected) removePlayer(ctx, draft, player, 'expired', events);
      continue;
    }
    const name = timer.key.slice(timer.key.indexOf(':') + 1);
    if (!plugin.onTimer) continue;
    const finished = runHook(plugin, ctx.log, draft, now, (gameCtx) => {
      draft.game = plugin.onTimer!(draft.game, { name, data: timer.data ?? null }, gameCtx);
    });
    events.push({ type: 'state' });
    if (finished) events.push({ type: 'finished' });
  }
}
