import type { Viewer } from '@gamebuddies/rooms';
import type { ClueState } from './rules.js';

/** The target is the clue giver's alone until the reveal; guesses stay hidden until then too. */
export function clueView(state: ClueState, viewer: Viewer) {
  const active = state.stage === 'clue' || state.stage === 'guess';
  const giver = active ? (state.givers[0] ?? null) : null;
  return {
    stage: state.stage,
    round: state.round,
    rounds: state.rounds,
    deadline: state.deadline,
    players: state.players,
    giver,
    nextGiver: state.stage === 'reveal' ? (state.givers[0] ?? null) : null,
    category: active ? state.category : null,
    target: active && viewer.playerId === giver ? state.target : null,
    clue: active ? state.clue : null,
    guessed: Object.keys(state.guesses),
    myGuess: state.guesses[viewer.playerId] ?? null,
    scores: state.scores,
    lastRound: state.lastRound,
  };
}
