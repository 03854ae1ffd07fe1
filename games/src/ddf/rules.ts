import { GameRuleError, type GameContext } from '@gamebuddies/rooms';
import { allConnectedDone, shuffle } from '../common.js';
import { QUESTIONS, type Question } from './questions.js';
import type { DdfSettings } from './schemas.js';

export type Ctx = GameContext<DdfSettings>;

export interface AnsweredQuestion {
  round: number;
  playerId: string;
  question: string;
  answer: string | null;
  correct: boolean;
  timedOut: boolean;
}

export type Departure = 'voted' | 'left' | 'master';

export interface VoteOutcome {
  round: number;
  /** voter → chosen player; public once the vote is over. */
  votes: Record<string, string>;
  counts: Record<string, number>;
  eliminated: string;
  decidedBy: 'votes' | 'wrong_answers' | 'game_master' | 'chance' | 'left';
}

export interface DdfState {
  stage: 'lobby' | 'question' | 'vote' | 'tiebreak' | 'elimination' | 'finished';
  /** +1 on every stage change; timers carry it so a stale one is ignored. */
  step: number;
  round: number;
  /** Asks and judges; never a contestant. The host at the start (or the next host if they leave). */
  master: string | null;
  contestants: string[];
  alive: string[];
  departed: Array<{ playerId: string; round: number; reason: Departure }>;
  /** Turns still to come this round; queue[0] is answering now. */
  queue: string[];
  /** The question being answered; its answer is for the game master's eyes only. */
  current: Question | null;
  /** Indexes into QUESTIONS not asked yet, in a random order (secret: it would spoil the questions). */
  deck: number[];
  stats: Record<string, { right: number; wrong: number }>;
  /** This round's judged answers. */
  answers: AnsweredQuestion[];
  /** Secret until the vote is over. */
  votes: Record<string, string>;
  tied: string[];
  lastVote: VoteOutcome | null;
  /** The game master left and the next host took over in this round (everyone is told). */
  masterChange: { round: number; from: string | null; to: string } | null;
  deadline: number | null;
}

export interface DdfResults {
  winners: string[];
  /** Contestants in the order they left the game. */
  departed: DdfState['departed'];
  stats: DdfState['stats'];
}

export function initialState(): DdfState {
  return {
    stage: 'lobby',
    step: 0,
    round: 0,
    master: null,
    contestants: [],
    alive: [],
    departed: [],
    queue: [],
    current: null,
    deck: [],
    stats: {},
    answers: [],
    votes: {},
    tied: [],
    lastVote: null,
    masterChange: null,
    deadline: null,
  };
}

function enter(
  state: DdfState,
  stage: DdfState['stage'],
  seconds: number | null,
  timer: string | null,
  ctx: Ctx,
) {
  const step = state.step + 1;
  for (const name of ['answer', 'vote', 'tiebreak', 'advance']) ctx.clearTimer(name);
  if (timer && seconds) ctx.setTimer(timer, seconds * 1000, { step });
  return { ...state, stage, step, deadline: seconds ? ctx.now + seconds * 1000 : null };
}

export function start(state: DdfState, masterId: string, ctx: Ctx): DdfState {
  const contestants = ctx.players.filter((p) => p.connected && p.id !== masterId).map((p) => p.id);
  if (contestants.length < 2) {
    throw new GameRuleError('At least 2 connected players besides the game master are needed');
  }
  ctx.setPhase('playing');
  const fresh: DdfState = {
    ...initialState(),
    step: state.step,
    master: masterId,
    contestants,
    alive: contestants,
    deck: shuffle(
      QUESTIONS.map((_, i) => i),
      ctx,
    ),
    stats: Object.fromEntries(contestants.map((id) => [id, { right: 0, wrong: 0 }])),
  };
  return startRound(fresh, ctx);
}

function startRound(state: DdfState, ctx: Ctx): DdfState {
  const round = state.round + 1;
  // Who answers first moves along each round, so nobody always opens.
  const offset = (round - 1) % state.alive.length;
  const order = [...state.alive.slice(offset), ...state.alive.slice(0, offset)];
  const queue = Array.from({ length: ctx.settings.questionsPerRound }, () => order).flat();
  return askNext({ ...state, round, queue, answers: [], votes: {}, tied: [], current: null }, ctx);
}

function drawQuestion(state: DdfState, ctx: Ctx): { question: Question; deck: number[] } {
  const deck =
    state.deck.length > 0
      ? state.deck
      : shuffle(
          QUESTIONS.map((_, i) => i),
          ctx,
        );
  return { question: QUESTIONS[deck[0]!]!, deck: deck.slice(1) };
}

function askNext(state: DdfState, ctx: Ctx): DdfState {
  if (state.queue.length === 0) {
    return enter({ ...state, current: null }, 'vote', ctx.settings.voteSeconds, 'vote', ctx);
  }
  const { question, deck } = drawQuestion(state, ctx);
  return enter({ ...state, current: question, deck }, 'question', ctx.settings.answerSeconds, 'answer', ctx);
}

/** The game master's own question replaces the current one, with a fresh countdown to answer it. */
export function ask(state: DdfState, question: string, answer: string | undefined, ctx: Ctx): DdfState {
  if (state.stage !== 'question') throw new GameRuleError('No question is being asked');
  const current = { question, answer: answer ?? '' };
  return enter({ ...state, current }, 'question', ctx.settings.answerSeconds, 'answer', ctx);
}

export function judge(state: DdfState, correct: boolean, timedOut: boolean, ctx: Ctx): DdfState {
  if (state.stage !== 'question' || !state.current) throw new GameRuleError('No question is being asked');
  const playerId = state.queue[0]!;
  const mine = state.stats[playerId] ?? { right: 0, wrong: 0 };
  const answered: AnsweredQuestion = {
    round: state.round,
    playerId,
    question: state.current.question,
    answer: state.current.answer || null,
    correct,
    timedOut,
  };
  return askNext(
    {
      ...state,
      queue: state.queue.slice(1),
      current: null,
      answers: [...state.answers, answered],
      stats: {
        ...state.stats,
        [playerId]: correct ? { ...mine, right: mine.right + 1 } : { ...mine, wrong: mine.wrong + 1 },
      },
    },
    ctx,
  );
}

export function vote(state: DdfState, voter: string, target: string, ctx: Ctx): DdfState {
  if (state.stage !== 'vote') throw new GameRuleError('There is no vote right now');
  if (!state.alive.includes(voter)) throw new GameRuleError('Only contestants still in the game vote');
  if (voter === target) throw new GameRuleError('You cannot vote for yourself');
  if (!state.alive.includes(target)) throw new GameRuleError('That player is not in the game');
  // The same vote again (a double click, a resend) is no change; a different one is refused.
  if (state.votes[voter] === target) return state;
  if (state.votes[voter]) throw new GameRuleError('You already voted');
  const next = { ...state, votes: { ...state.votes, [voter]: target } };
  return allConnectedDone(next.alive, (id) => Boolean(next.votes[id]), ctx) ? tally(next, ctx) : next;
}

export function countVotes(state: DdfState): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(state.alive.map((id) => [id, 0]));
  for (const target of Object.values(state.votes)) if (target in counts) counts[target]! += 1;
  return counts;
}

/** Most votes leaves; a tie goes to the most wrong answers, then to the game master. */
export function tally(state: DdfState, ctx: Ctx): DdfState {
  const counts = countVotes(state);
  const most = Math.max(...Object.values(counts));
  let leaders = state.alive.filter((id) => counts[id] === most);
  if (leaders.length === 1) return eliminate(state, leaders[0]!, 'votes', counts, ctx);
  const wrongest = Math.max(...leaders.map((id) => state.stats[id]?.wrong ?? 0));
  leaders = leaders.filter((id) => (state.stats[id]?.wrong ?? 0) === wrongest);
  if (leaders.length === 1) return eliminate(state, leaders[0]!, 'wrong_answers', counts, ctx);
  return enter({ ...state, tied: leaders }, 'tiebreak', ctx.settings.voteSeconds, 'tiebreak', ctx);
}

export function decide(state: DdfState, target: string, ctx: Ctx): DdfState {
  if (state.stage !== 'tiebreak') throw new GameRuleError('There is no tie to break');
  if (!state.tied.includes(target)) throw new GameRuleError('Choose one of the tied players');
  return eliminate(state, target, 'game_master', countVotes(state), ctx);
}

/** The game master let the tie-break time run out: chance decides among the tied. */
export function decideByChance(state: DdfState, ctx: Ctx): DdfState {
  return eliminate(state, state.tied[ctx.randomInt(state.tied.length)]!, 'chance', countVotes(state), ctx);
}

function eliminate(
  state: DdfState,
  playerId: string,
  decidedBy: VoteOutcome['decidedBy'],
  counts: Record<string, number>,
  ctx: Ctx,
): DdfState {
  const next: DdfState = {
    ...state,
    alive: state.alive.filter((id) => id !== playerId),
    departed: [
      ...state.departed,
      { playerId, round: state.round, reason: decidedBy === 'left' ? 'left' : 'voted' },
    ],
    lastVote: { round: state.round, votes: state.votes, counts, eliminated: playerId, decidedBy },
    votes: {},
    tied: [],
  };
  if (next.alive.length <= 1) return finish(next, ctx);
  return enter(next, 'elimination', ctx.settings.revealSeconds, 'advance', ctx);
}

export function nextRound(state: DdfState, ctx: Ctx): DdfState {
  if (state.stage !== 'elimination') throw new GameRuleError('The round is not over yet');
  return startRound(state, ctx);
}

export function finish(state: DdfState, ctx: Ctx): DdfState {
  const results: DdfResults = { winners: state.alive, departed: state.departed, stats: state.stats };
  ctx.finish(results);
  return { ...enter(state, 'finished', null, null, ctx), queue: [], current: null, votes: {}, tied: [] };
}

/**
 * A contestant is gone (left the room, or became game master). Mid-questions the round goes on
 * without them; during a vote or tie-break their leaving is this round's departure.
 */
export function removeContestant(state: DdfState, playerId: string, reason: Departure, ctx: Ctx): DdfState {
  if (!state.alive.includes(playerId)) return state;
  if (state.stage === 'vote' || state.stage === 'tiebreak') {
    return eliminate(state, playerId, 'left', countVotes(state), ctx);
  }
  const next: DdfState = {
    ...state,
    alive: state.alive.filter((id) => id !== playerId),
    departed: [...state.departed, { playerId, round: state.round, reason }],
    queue: state.queue.filter((id) => id !== playerId),
  };
  if (next.alive.length <= 1) return finish(next, ctx);
  if (state.stage === 'question' && state.queue[0] === playerId)
    return askNext({ ...next, current: null }, ctx);
  return next;
}

/** The game master left: the new host takes over, stepping out of the contest if they were in it. */
export function replaceMaster(state: DdfState, ctx: Ctx): DdfState {
  const master = ctx.hostId;
  if (!master) return finish({ ...state, master: null }, ctx);
  const masterChange = { round: state.round, from: state.master, to: master };
  return removeContestant({ ...state, master, masterChange }, master, 'master', ctx);
}
