import type { z } from 'zod';
import type { PlayerRole, RoomPhase } from '@gamebuddies/protocol';

/** A player as a game sees it. */
export interface GamePlayer {
  id: string;
  name: string;
  role: PlayerRole;
  connected: boolean;
}

/** Who is looking at the state: the view hides what this viewer must not know. */
export interface Viewer {
  playerId: string;
  role: PlayerRole;
}

/** A rule was broken: the action is refused with INVALID_ACTION (or NOT_HOST) and nothing changes. */
export class GameRuleError extends Error {
  constructor(
    message: string,
    readonly code: 'INVALID_ACTION' | 'NOT_HOST' = 'INVALID_ACTION',
  ) {
    super(message);
    this.name = 'GameRuleError';
  }
}

/**
 * What a hook may read and do besides returning new state. Effects are applied to the room only when
 * the whole change is saved, so a hook is a pure function of (state, input, context).
 */
export interface GameContext<Settings> {
  readonly now: number;
  readonly settings: Settings;
  /** Seated players in join order (the host included). */
  readonly players: readonly GamePlayer[];
  readonly hostId: string | null;
  /** Uniform random integer in [0, max): crypto-strength, so shuffles cannot be predicted. */
  randomInt(max: number): number;
  /** (Re)arms a server-side timer; it fires `onTimer` after delayMs, even on another server. */
  setTimer(name: string, delayMs: number, data?: unknown): void;
  clearTimer(name: string): void;
  /** Moves the room between lobby and playing. */
  setPhase(phase: Exclude<RoomPhase, 'finished'>): void;
  /** Ends the game: the room phase becomes `finished` and `results` are shown to everyone. */
  finish(results: unknown): void;
}

export interface ActionContext<Settings> extends GameContext<Settings> {
  readonly actor: GamePlayer;
}

/**
 * A game, in the spirit of Colyseus' Room hooks. Plugins never touch sockets or the store: the
 * platform validates input, runs the hook, stores the result and sends each player their view.
 */
export interface GamePlugin<
  State = unknown,
  Settings = unknown,
  Action extends { type: string } = { type: string },
> {
  readonly gameType: string;
  readonly displayName: string;
  readonly minPlayers: number;
  readonly maxPlayers: number;
  /**
   * The platform relays `rtc:signal` (WebRTC offers, answers, candidates) between this game's players,
   * for games played over peer-to-peer video. Off unless a game opts in.
   */
  readonly relaysRtcSignals?: boolean;
  /** Validates settings and fills defaults. `settingsSchema.parse({})` must give valid defaults. */
  readonly settingsSchema: z.ZodType<Settings>;
  /** Validates `game:action` payloads. */
  readonly actionSchema: z.ZodType<Action>;
  createState(ctx: GameContext<Settings>): State;
  onAction(state: State, action: Action, ctx: ActionContext<Settings>): State;
  onJoin?(state: State, player: GamePlayer, ctx: GameContext<Settings>): State;
  onLeave?(state: State, player: GamePlayer, ctx: GameContext<Settings>): State;
  onTimer?(state: State, timer: { name: string; data: unknown }, ctx: GameContext<Settings>): State;
  /**
   * Where the game is: a number that moves on whenever what an action answers changes (a new
   * question, hint turn, vote, draw). Every snapshot carries it as `turn`; an action that names a
   * `turn` the game has left is refused with STALE_ACTION and changes nothing, so a double click or a
   * click that arrives late acts once. Without it a game takes every action as it comes.
   */
  turn?(state: State): number;
  /** What one player may see. Anything not returned here never leaves the server. */
  view(state: State, viewer: Viewer, ctx: GameContext<Settings>): unknown;
}

/** Type-erased plugin as the registry stores it. */
export type AnyGamePlugin = GamePlugin<unknown, unknown, { type: string }>;

export function defineGame<State, Settings, Action extends { type: string }>(
  plugin: GamePlugin<State, Settings, Action>,
): AnyGamePlugin {
  return plugin as unknown as AnyGamePlugin;
}
