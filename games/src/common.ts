import { z } from 'zod';
import { GameRuleError, type GameContext, type GamePlayer } from '@gamebuddies/rooms';

/** Small rules shared by the built-in games. */

export function requireHost(player: GamePlayer): void {
  if (player.role !== 'host') throw new GameRuleError('Only the host can do that', 'NOT_HOST');
}

/** Fisher–Yates with the platform's randomness, so no client can predict an order. */
export function shuffle<T>(items: readonly T[], ctx: GameContext<unknown>): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = ctx.randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function pick<T>(items: readonly T[], ctx: GameContext<unknown>): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[ctx.randomInt(items.length)]!;
}

export function connectedIds(ctx: GameContext<unknown>): Set<string> {
  return new Set(ctx.players.filter((p) => p.connected).map((p) => p.id));
}

/** True when every connected player among `ids` has done it (a dropped player does not hold a round up). */
export function allConnectedDone(
  ids: readonly string[],
  done: (id: string) => boolean,
  ctx: GameContext<unknown>,
): boolean {
  const connected = connectedIds(ctx);
  return ids.filter((id) => connected.has(id)).every(done);
}

/**
 * Stages move on by a counter: a timer carries the step it was armed for, so one that fires after its
 * stage already ended (the host was faster, a player left) is recognised as stale and ignored.
 */
export function timerStep(data: unknown): number | null {
  const step = (data as { step?: unknown } | null)?.step;
  return typeof step === 'number' ? step : null;
}

/** Words players type: trimmed, compared without case or accents. */
export function normalizeWord(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A list of short texts from the settings: trimmed, non-empty, no duplicates (ignoring case). */
export function uniqueTexts(maxLength: number, min: number, max: number) {
  return z
    .array(z.string().trim().min(1).max(maxLength))
    .min(min)
    .max(max)
    .refine((list) => new Set(list.map(normalizeWord)).size === list.length, {
      message: 'entries must be distinct',
    });
}
