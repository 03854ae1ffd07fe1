import { randomInt } from 'node:crypto';
import type { RoomPhase } from '@gamebuddies/protocol';
import type { ActionContext, AnyGamePlugin, GameContext, GamePlayer } from '../plugins/gamePlugin.js';
import { GAME_TIMER_PREFIX, type PlayerRecord, type RoomRecord } from '../room/roomRecord.js';

export function toGamePlayer(player: PlayerRecord): GamePlayer {
  return { id: player.id, name: player.name, role: player.role, connected: player.connected };
}

/** What a hook asked for, applied to the room only after the hook returned. */
interface Effects {
  timers: Map<string, { fireAt: number; data?: unknown } | null>;
  phase?: Exclude<RoomPhase, 'finished'>;
  finished?: { results: unknown };
}

/** Builds the context a plugin hook sees, recording its effects for `apply`. */
export function createGameContext(room: RoomRecord, now: number) {
  const effects: Effects = { timers: new Map() };
  const ctx: GameContext<unknown> = {
    now,
    settings: room.settings,
    players: room.players.map(toGamePlayer),
    hostId: room.hostId,
    randomInt: (max) => randomInt(max),
    setTimer: (name, delayMs, data) => {
      const delay = Math.max(0, Math.min(Math.floor(delayMs), 24 * 3600_000));
      effects.timers.set(name, data === undefined ? { fireAt: now + delay } : { fireAt: now + delay, data });
    },
    clearTimer: (name) => effects.timers.set(name, null),
    setPhase: (phase) => {
      effects.phase = phase;
      effects.finished = undefined;
    },
    finish: (results) => {
      effects.finished = { results: results ?? null };
    },
  };
  return {
    ctx,
    withActor: (actor: PlayerRecord): ActionContext<unknown> => ({ ...ctx, actor: toGamePlayer(actor) }),
    /** Writes the recorded effects into the room draft; returns true when the game just finished. */
    apply(draft: RoomRecord): boolean {
      for (const [name, timer] of effects.timers) {
        const key = GAME_TIMER_PREFIX + name;
        draft.timers = draft.timers.filter((t) => t.key !== key);
        if (timer) draft.timers.push({ key, ...timer });
      }
      if (effects.finished) {
        draft.phase = 'finished';
        draft.results = effects.finished.results;
        draft.timers = draft.timers.filter((t) => !t.key.startsWith(GAME_TIMER_PREFIX));
        return true;
      }
      if (effects.phase) {
        if (effects.phase === 'playing' && draft.phase !== 'playing') draft.results = null;
        draft.phase = effects.phase;
      }
      return false;
    },
  };
}

/** A read-only context for views: effects would be lost, so asking for one is a bug. */
export function viewContext(room: RoomRecord, plugin: AnyGamePlugin): GameContext<unknown> {
  const refuse = () => {
    throw new Error(`${plugin.gameType}: view() must not change the room`);
  };
  return {
    now: Date.now(),
    settings: room.settings,
    players: room.players.map(toGamePlayer),
    hostId: room.hostId,
    randomInt: refuse,
    setTimer: refuse,
    clearTimer: refuse,
    setPhase: refuse,
    finish: refuse,
  };
}
