import { AppError, describeForPeople } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import { createGameContext } from '../plugins/gameContext.js';
import { GameRuleError, type AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { RoomRecord } from '../room/roomRecord.js';

type HookContext = ReturnType<typeof createGameContext>;

/**
 * Runs a plugin hook against the draft and applies its effects. A rule violation becomes a typed
 * error; any other throw is a bug in the game, reported as INTERNAL. Either way the change is
 * abandoned, so a failing game can never leave a half-changed room behind.
 * Returns true when the game finished.
 */
export function runHook(
  plugin: AnyGamePlugin,
  log: Logger,
  draft: RoomRecord,
  now: number,
  hook: (ctx: HookContext['ctx'], withActor: HookContext['withActor']) => void,
): boolean {
  const context = createGameContext(draft, now);
  try {
    hook(context.ctx, context.withActor);
  } catch (error) {
    if (error instanceof GameRuleError) throw new AppError(error.code, error.message);
    if (error instanceof AppError) throw error;
    log.error({ err: error, gameType: plugin.gameType, room: draft.code }, 'game plugin failed');
    throw new AppError('INTERNAL', `${plugin.displayName} could not handle this`);
  }
  return context.apply(draft);
}

export function parseSettings(
  plugin: AnyGamePlugin,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const parsed = plugin.settingsSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_SETTINGS', describeForPeople(parsed.error));
  return parsed.data as Record<string, unknown>;
}
