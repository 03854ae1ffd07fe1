import { GameRuleError, type GameContext } from '@gamebuddies/rooms';
import { allConnectedDone, shuffle } from '../common.js';
import { CATEGORIES, type Category } from './categories.js';
import { SCALE_MAX, SCALE_MIN, type ClueSettings } from './schemas.js';

export type Ctx = GameContext<ClueSettings>;

export interface RoundResult {
  round: number;
  giver: string;
  category: Category;
  target: number;
  /** null: the clue giver ran out of time and the round scored nothing. */
  clue: string | null;
  guesses: Record<string, number>;
  points: Record<string, number>;
}

export interface ClueResults {
  scores: Record<string, number>;
  winners: string[];
}

export interface ClueState {
  stage: 'lobby' | 'clue' | 'guess' | 'reveal' | 'finished';
  step: number;
  round: number;
  rounds: number;
  players: string[];
  /** Clue givers still to come; givers[0] gives this round's clue. */
  givers: string[];
  category: Category | null;
  /** Only the clue giver sees it before the reveal. */
  target: number | null;
  clue: string | null;
  /** Secret until the reveal, so nobody copies. */
  guesses: Record<string, number>;
  scores: Record<string, number>;
  /** Indexes of categories not played yet, in a random order. */
  deck: number[];
  lastRound: RoundResult | null;
  deadline: number | null;
}

export function initialState(): ClueState {
  return {
    stage: 'lobby',
    step: 0,
    round: 0,
    rounds: 0,
    players: [],
    givers: [],
    category: null,
    target: null,
    clue: null,
    guesses: {},
    scores: {},
    deck: [],
    lastRound: null,
    deadline: null,
  };
}

/** 3 points on the target, 2 one off, 1 two off. */
export function pointsFor(guess: number, target: number): number {
  return Math.max(0, 3 - Math.abs(guess - target));
}

function categories(ctx: Ctx): readonly Category[] {
  return ctx.settings.categories ?? CATEGORIES;
}

function enter(state: ClueState, stage: ClueState['stage'], seconds: number | null, ctx: Ctx): ClueState {
  const step = state.step + 1;
  for (const name of ['clue', 'guess', 'advance']) ctx.clearTimer(name);
  const timer =
    stage === 'clue' ? 'clue' : stage === 'guess' ? 'guess' : stage === 'reveal' ? 'advance' : null;
  if (timer && seconds) ctx.setTimer(timer, seconds * 1000, { step });
  return { ...state, stage, step, deadline: seconds ? ctx.now + seconds * 1000 : null };
}

export function start(state: ClueState, ctx: Ctx): ClueState {
  const connected = ctx.players.filter((p) => p.connected).map((p) => p.id);
  if (connected.length < 2) throw new GameRuleError('At least 2 connected players are needed');
  ctx.setPhase('playing');
  const order = shuffle(connected, ctx);
  const givers = Array.from({ length: ctx.settings.roundsPerPlayer }, () => order).flat();
  const fresh: ClueState = {
    ...initialState(),
    step: state.step,
    rounds: givers.length,
    players: order,
    givers,
    scores: Object.fromEntries(order.map((id) => [id, 0])),
  };
  return startRound(fresh, ctx);
}

function startRound(state: ClueState, ctx: Ctx): ClueState {
  if (state.givers.length === 0) return finish(state, ctx);
  const deck =
    state.deck.length > 0
      ? state.deck
      : shuffle(
          categories(ctx).map((_, i) => i),
          ctx,
        );
  const category = categories(ctx)[deck[0]!]!;
  const target = SCALE_MIN + ctx.randomInt(SCALE_MAX - SCALE_MIN + 1);
  return enter(
    { ...state, round: state.round + 1, deck: deck.slice(1), category, target, clue: null, guesses: {} },
    'clue',
    ctx.settings.clueSeconds,
    ctx,
  );
}

export function giveClue(state: ClueState, playerId: string, text: string, ctx: Ctx): ClueState {
  if (state.stage !== 'clue') throw new GameRuleError('It is not time for a clue');
  if (state.givers[0] !== playerId) throw new GameRuleError('You are not the clue giver this round');
  return enter({ ...state, clue: text }, 'guess', ctx.settings.guessSeconds, ctx);
}

export function guess(state: ClueState, playerId: string, value: number, ctx: Ctx): ClueState {
  if (state.stage !== 'guess') throw new GameRuleError('It is not time to guess');
  if (!state.players.includes(playerId)) throw new GameRuleError('You are watching this game');
  if (state.givers[0] === playerId) throw new GameRuleError('The clue giver does not guess');
  // The same guess again (a double tap, a resend) is no change; a different one is refused.
  if (state.guesses[playerId] === value) return state;
  if (state.guesses[playerId] !== undefined) throw new GameRuleError('You already guessed');
  const next = { ...state, guesses: { ...state.guesses, [playerId]: value } };
  return everyoneGuessed(next, ctx) ? reveal(next, ctx) : next;
}

function everyoneGuessed(state: ClueState, ctx: Ctx): boolean {
  const guessers = state.players.filter((id) => id !== state.givers[0]);
  return allConnectedDone(guessers, (id) => state.guesses[id] !== undefined, ctx);
}

/** Guessers score by distance; the clue giver scores 1 for every guesser within one of the target. */
export function reveal(state: ClueState, ctx: Ctx): ClueState {
  const giver = state.givers[0]!;
  const target = state.target!;
  const points: Record<string, number> = Object.fromEntries(state.players.map((id) => [id, 0]));
  if (state.clue !== null) {
    for (const [id, value] of Object.entries(state.guesses)) {
      if (!(id in points)) continue;
      points[id] = pointsFor(value, target);
      if (Math.abs(value - target) <= 1 && giver in points) points[giver]! += 1;
    }
  }
  const scores = { ...state.scores };
  for (const [id, p] of Object.entries(points)) scores[id] = (scores[id] ?? 0) + p;
  const lastRound: RoundResult = {
    round: state.round,
    giver,
    category: state.category!,
    target,
    clue: state.clue,
    guesses: state.guesses,
    points,
  };
  return enter(
    { ...state, scores, lastRound, givers: state.givers.slice(1), target: null, guesses: {} },
    'reveal',
    ctx.settings.revealSeconds,
    ctx,
  );
}

export function next(state: ClueState, ctx: Ctx): ClueState {
  if (state.stage !== 'reveal') throw new GameRuleError('The round is not over yet');
  return startRound(state, ctx);
}

export function finish(state: ClueState, ctx: Ctx): ClueState {
  const best = Math.max(0, ...state.players.map((id) => state.scores[id] ?? 0));
  const results: ClueResults = {
    scores: state.scores,
    winners: state.players.filter((id) => (state.scores[id] ?? 0) === best),
  };
  ctx.finish(results);
  return { ...enter(state, 'finished', null, ctx), givers: [], target: null, category: null };
}

/** A player left: if they were giving the clue the round ends unscored; with one player left the game ends. */
export function removePlayer(state: ClueState, playerId: string, ctx: Ctx): ClueState {
  if (!state.players.includes(playerId)) return state;
  const wasGiver = state.givers[0] === playerId;
  const { [playerId]: _dropped, ...guesses } = state.guesses;
  const players = state.players.filter((id) => id !== playerId);
  const active = state.stage === 'clue' || state.stage === 'guess';
  // The current giver's turn stays at the head until the reveal below closes it; later turns go.
  const givers = state.givers.filter((id, i) => id !== playerId || (active && i === 0));
  const next: ClueState = { ...state, players, guesses, givers };
  if (players.length < 2) return finish(next, ctx);
  if (active && wasGiver) return reveal({ ...next, clue: null }, ctx);
  if (state.stage === 'guess' && everyoneGuessed(next, ctx)) return reveal(next, ctx);
  return next;
}
