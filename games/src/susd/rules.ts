import { GameRuleError, type GameContext } from '@gamebuddies/rooms';
import { allConnectedDone, normalizeWord, pick, shuffle } from '../common.js';
import type { SusdSettings } from './schemas.js';
import { WORDS } from './words.js';

export type Ctx = GameContext<SusdSettings>;

export interface Hint {
  round: number;
  playerId: string;
  /** null: the player's time ran out. */
  word: string | null;
}

export interface SusdResults {
  impostor: string;
  word: string;
  winners: string[];
  caught: boolean;
  guess: string | null;
  votes: Record<string, string>;
  reason: 'not_caught' | 'guessed' | 'wrong_guess' | 'impostor_left' | 'not_enough_players';
}

export interface SusdState {
  stage: 'lobby' | 'hints' | 'vote' | 'guess' | 'finished';
  step: number;
  round: number;
  /** Participants in turn order. */
  players: string[];
  /** Secret from everyone but the impostor until the vote catches them or the game ends. */
  impostor: string | null;
  /** Secret from the impostor. */
  word: string | null;
  /** Turns still to come this round; queue[0] gives a hint now. */
  queue: string[];
  hints: Hint[];
  /** Secret until the vote is over. */
  votes: Record<string, string>;
  /** Set when the vote caught the impostor: they now try to guess the word. */
  accused: string | null;
  deadline: number | null;
}

export const MIN_PLAYERS = 3;

export function initialState(): SusdState {
  return {
    stage: 'lobby',
    step: 0,
    round: 0,
    players: [],
    impostor: null,
    word: null,
    queue: [],
    hints: [],
    votes: {},
    accused: null,
    deadline: null,
  };
}

function enter(state: SusdState, stage: SusdState['stage'], seconds: number | null, ctx: Ctx): SusdState {
  const step = state.step + 1;
  for (const name of ['hint', 'vote', 'guess']) ctx.clearTimer(name);
  const timer = stage === 'hints' ? 'hint' : stage === 'vote' ? 'vote' : stage === 'guess' ? 'guess' : null;
  if (timer && seconds) ctx.setTimer(timer, seconds * 1000, { step });
  return { ...state, stage, step, deadline: seconds ? ctx.now + seconds * 1000 : null };
}

export function start(state: SusdState, ctx: Ctx): SusdState {
  const connected = ctx.players.filter((p) => p.connected).map((p) => p.id);
  if (connected.length < MIN_PLAYERS) {
    throw new GameRuleError(`At least ${MIN_PLAYERS} connected players are needed`);
  }
  ctx.setPhase('playing');
  const players = shuffle(connected, ctx);
  const fresh: SusdState = {
    ...initialState(),
    step: state.step,
    players,
    impostor: pick(players, ctx),
    word: pick(ctx.settings.words ?? WORDS, ctx),
  };
  return startRound(fresh, 1, ctx);
}

function startRound(state: SusdState, round: number, ctx: Ctx): SusdState {
  return enter({ ...state, round, queue: [...state.players] }, 'hints', ctx.settings.hintSeconds, ctx);
}

/** Records the current turn's hint (null when time ran out) and passes the turn on. */
export function giveHint(state: SusdState, playerId: string, word: string | null, ctx: Ctx): SusdState {
  if (state.stage !== 'hints') throw new GameRuleError('It is not time for hints');
  if (state.queue[0] !== playerId) throw new GameRuleError('It is not your turn');
  // Only someone who knows the word is stopped from saying it: refusing the impostor would tell them.
  if (word !== null && playerId !== state.impostor && saysTheWord(word, state.word!)) {
    throw new GameRuleError('Your hint must not give the secret word away');
  }
  const next = {
    ...state,
    hints: [...state.hints, { round: state.round, playerId, word }],
    queue: state.queue.slice(1),
  };
  return passTurn(next, ctx);
}

function saysTheWord(hint: string, secret: string): boolean {
  const h = normalizeWord(hint);
  const s = normalizeWord(secret);
  return h.includes(s) || (h.length >= 4 && s.includes(h));
}

function passTurn(state: SusdState, ctx: Ctx): SusdState {
  if (state.queue.length > 0) return enter(state, 'hints', ctx.settings.hintSeconds, ctx);
  if (state.round < ctx.settings.rounds) return startRound(state, state.round + 1, ctx);
  return enter(state, 'vote', ctx.settings.voteSeconds, ctx);
}

export function vote(state: SusdState, voter: string, target: string, ctx: Ctx): SusdState {
  if (state.stage !== 'vote') throw new GameRuleError('There is no vote right now');
  if (!state.players.includes(voter)) throw new GameRuleError('You are watching this game');
  if (voter === target) throw new GameRuleError('You cannot vote for yourself');
  if (!state.players.includes(target)) throw new GameRuleError('That player is not in the game');
  // The same vote again (a double click, a resend) is no change; a different one is refused.
  if (state.votes[voter] === target) return state;
  if (state.votes[voter]) throw new GameRuleError('You already voted');
  const next = { ...state, votes: { ...state.votes, [voter]: target } };
  return allConnectedDone(next.players, (id) => Boolean(next.votes[id]), ctx) ? closeVote(next, ctx) : next;
}

export function countVotes(state: SusdState): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(state.players.map((id) => [id, 0]));
  for (const target of Object.values(state.votes)) if (target in counts) counts[target]! += 1;
  return counts;
}

/** The impostor is caught only with strictly the most votes: a tie lets them slip away. */
export function closeVote(state: SusdState, ctx: Ctx): SusdState {
  const counts = countVotes(state);
  const most = Math.max(...Object.values(counts));
  const leaders = state.players.filter((id) => counts[id] === most);
  const caught = most > 0 && leaders.length === 1 && leaders[0] === state.impostor;
  if (!caught) return finish(state, 'not_caught', null, ctx);
  return enter({ ...state, accused: state.impostor }, 'guess', ctx.settings.guessSeconds, ctx);
}

export function guess(state: SusdState, playerId: string, word: string | null, ctx: Ctx): SusdState {
  if (state.stage !== 'guess') throw new GameRuleError('It is not time to guess');
  if (playerId !== state.impostor) throw new GameRuleError('Only the caught impostor guesses the word');
  const right = word !== null && normalizeWord(word) === normalizeWord(state.word!);
  return finish(state, right ? 'guessed' : 'wrong_guess', word, ctx);
}

export function finish(
  state: SusdState,
  reason: SusdResults['reason'],
  guessed: string | null,
  ctx: Ctx,
): SusdState {
  const impostor = state.impostor!;
  const crew = state.players.filter((id) => id !== impostor);
  const winners =
    reason === 'not_caught' || reason === 'guessed'
      ? [impostor]
      : reason === 'not_enough_players'
        ? []
        : crew;
  const results: SusdResults = {
    impostor,
    word: state.word!,
    winners,
    caught: reason === 'guessed' || reason === 'wrong_guess',
    guess: guessed,
    votes: state.votes,
    reason,
  };
  ctx.finish(results);
  return { ...enter(state, 'finished', null, ctx), queue: [], accused: null };
}

/** A participant left: the game goes on without them while it still can. */
export function removePlayer(state: SusdState, playerId: string, ctx: Ctx): SusdState {
  if (!state.players.includes(playerId)) return state;
  if (playerId === state.impostor) return finish(state, 'impostor_left', null, ctx);
  const votes = Object.fromEntries(
    Object.entries(state.votes).filter(([voter, target]) => voter !== playerId && target !== playerId),
  );
  const next: SusdState = {
    ...state,
    players: state.players.filter((id) => id !== playerId),
    queue: state.queue.filter((id) => id !== playerId),
    votes,
  };
  if (next.players.length < MIN_PLAYERS) return finish(next, 'not_enough_players', null, ctx);
  if (state.stage === 'hints' && state.queue[0] === playerId) return passTurn(next, ctx);
  if (state.stage === 'vote' && allConnectedDone(next.players, (id) => Boolean(next.votes[id]), ctx)) {
    return closeVote(next, ctx);
  }
  return next;
}
