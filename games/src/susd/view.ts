import type { Viewer } from '@gamebuddies/rooms';
import type { SusdState } from './rules.js';

/**
 * The impostor sees that they are the impostor and never the word; everyone else sees the word and
 * never who the impostor is, until the vote catches them or the game ends. Late joiners watch blind.
 */
export function susdView(state: SusdState, viewer: Viewer) {
  const playing = state.players.includes(viewer.playerId);
  const isImpostor = playing && viewer.playerId === state.impostor;
  const over = state.stage === 'finished';
  return {
    stage: state.stage,
    round: state.round,
    deadline: state.deadline,
    players: state.players,
    turn: state.stage === 'hints' ? (state.queue[0] ?? null) : null,
    role: !playing ? 'spectator' : isImpostor ? 'impostor' : 'crew',
    word: over || (playing && !isImpostor) ? state.word : null,
    impostor: over || state.accused ? state.impostor : null,
    hints: state.hints,
    voted: Object.keys(state.votes),
    myVote: state.votes[viewer.playerId] ?? null,
    votes: over || state.accused ? state.votes : null,
  };
}
