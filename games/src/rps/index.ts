import { z } from 'zod';
import { defineGame, GameRuleError, type GameContext, type GamePlayer } from '@gamebuddies/rooms';

/**
 * Rock Paper Scissors party: everyone picks in secret each round; a pick scores one point for every
 * other player's pick it beats. The reference game that exercises every part of the plugin contract:
 * hidden information, server timers, join/leave mid-game and a result.
 */

const Choice = z.enum(['rock', 'paper', 'scissors']);
type Choice = z.infer<typeof Choice>;

const BEATS: Record<Choice, Choice> = { rock: 'scissors', paper: 'rock', scissors: 'paper' };
const REVEAL_SECONDS = 8;

const Settings = z.object({
  rounds: z.number().int().min(1).max(10).default(3),
  roundSeconds: z.number().int().min(5).max(120).default(20),
});
type Settings = z.infer<typeof Settings>;

const Action = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('choose'), choice: Choice }),
  z.object({ type: z.literal('next') }),
]);
type Action = z.infer<typeof Action>;

interface RoundResult {
  round: number;
  choices: Record<string, Choice | null>;
  points: Record<string, number>;
}

export interface RpsState {
  stage: 'lobby' | 'choosing' | 'reveal' | 'finished';
  round: number;
  participants: string[];
  scores: Record<string, number>;
  /** Secret until the reveal: never in another player's view. */
  choices: Record<string, Choice>;
  deadline: number | null;
  lastRound: RoundResult | null;
}

export interface RpsResults {
  scores: Record<string, number>;
  winners: string[];
}

type Ctx = GameContext<Settings>;

function startRound(state: RpsState, round: number, ctx: Ctx): RpsState {
  const deadline = ctx.now + ctx.settings.roundSeconds * 1000;
  ctx.clearTimer('advance');
  ctx.setTimer('round', ctx.settings.roundSeconds * 1000, { round });
  return { ...state, stage: 'choosing', round, choices: {}, deadline };
}

function reveal(state: RpsState, ctx: Ctx): RpsState {
  const points: Record<string, number> = {};
  const choices: Record<string, Choice | null> = {};
  for (const id of state.participants) {
    const mine = state.choices[id] ?? null;
    choices[id] = mine;
    points[id] = mine
      ? state.participants.filter((other) => other !== id && state.choices[other] === BEATS[mine]).length
      : 0;
  }
  const scores = { ...state.scores };
  for (const id of state.participants) scores[id] = (scores[id] ?? 0) + (points[id] ?? 0);
  ctx.clearTimer('round');
  ctx.setTimer('advance', REVEAL_SECONDS * 1000, { round: state.round });
  return {
    ...state,
    stage: 'reveal',
    scores,
    deadline: ctx.now + REVEAL_SECONDS * 1000,
    lastRound: { round: state.round, choices, points },
  };
}

function finish(state: RpsState, ctx: Ctx): RpsState {
  const best = Math.max(0, ...state.participants.map((id) => state.scores[id] ?? 0));
  const winners = state.participants.filter((id) => (state.scores[id] ?? 0) === best);
  ctx.clearTimer('round');
  ctx.clearTimer('advance');
  const results: RpsResults = { scores: state.scores, winners };
  ctx.finish(results);
  return { ...state, stage: 'finished', deadline: null };
}

function advance(state: RpsState, ctx: Ctx): RpsState {
  return state.round >= ctx.settings.rounds ? finish(state, ctx) : startRound(state, state.round + 1, ctx);
}

function everyoneChose(state: RpsState, ctx: Ctx): boolean {
  const connected = new Set(ctx.players.filter((p) => p.connected).map((p) => p.id));
  return state.participants.filter((id) => connected.has(id)).every((id) => state.choices[id]);
}

function requireHost(player: GamePlayer): void {
  if (player.role !== 'host') throw new GameRuleError('Only the host can do that', 'NOT_HOST');
}

export const rps = defineGame<RpsState, Settings, Action>({
  gameType: 'rps',
  displayName: 'Rock Paper Scissors',
  minPlayers: 2,
  maxPlayers: 20,
  settingsSchema: Settings,
  actionSchema: Action,

  createState: () => ({
    stage: 'lobby',
    round: 0,
    participants: [],
    scores: {},
    choices: {},
    deadline: null,
    lastRound: null,
  }),

  onAction(state, action, ctx) {
    switch (action.type) {
      case 'start': {
        requireHost(ctx.actor);
        if (state.stage === 'choosing' || state.stage === 'reveal')
          throw new GameRuleError('The game is running');
        const participants = ctx.players.filter((p) => p.connected).map((p) => p.id);
        if (participants.length < 2) throw new GameRuleError('At least 2 connected players are needed');
        ctx.setPhase('playing');
        const fresh: RpsState = {
          ...state,
          participants,
          scores: Object.fromEntries(participants.map((id) => [id, 0])),
          lastRound: null,
        };
        return startRound(fresh, 1, ctx);
      }
      case 'choose': {
        if (state.stage !== 'choosing') throw new GameRuleError('Nothing to choose right now');
        if (!state.participants.includes(ctx.actor.id)) throw new GameRuleError('You are watching this game');
        if (state.choices[ctx.actor.id]) throw new GameRuleError('You already chose this round');
        const next = { ...state, choices: { ...state.choices, [ctx.actor.id]: action.choice } };
        return everyoneChose(next, ctx) ? reveal(next, ctx) : next;
      }
      case 'next': {
        requireHost(ctx.actor);
        if (state.stage !== 'reveal') throw new GameRuleError('The round is not over yet');
        return advance(state, ctx);
      }
    }
  },

  onTimer(state, timer, ctx) {
    const round = (timer.data as { round?: number } | null)?.round;
    if (round !== state.round) return state;
    if (timer.name === 'round' && state.stage === 'choosing') return reveal(state, ctx);
    if (timer.name === 'advance' && state.stage === 'reveal') return advance(state, ctx);
    return state;
  },

  onLeave(state, player, ctx) {
    if (!state.participants.includes(player.id)) return state;
    const participants = state.participants.filter((id) => id !== player.id);
    const next = { ...state, participants };
    if (state.stage !== 'choosing' && state.stage !== 'reveal') return next;
    if (participants.length < 2) return finish(next, ctx);
    return state.stage === 'choosing' && everyoneChose(next, ctx) ? reveal(next, ctx) : next;
  },

  view(state, viewer, ctx) {
    return {
      stage: state.stage,
      round: state.round,
      rounds: ctx.settings.rounds,
      deadline: state.deadline,
      participants: state.participants,
      scores: state.scores,
      chosen: Object.keys(state.choices),
      myChoice: state.choices[viewer.playerId] ?? null,
      lastRound: state.lastRound,
    };
  },
});
