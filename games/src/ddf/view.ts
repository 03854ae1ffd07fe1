import type { Viewer } from '@gamebuddies/rooms';
import type { DdfState } from './rules.js';

/** What one player sees: the answer only when they are the game master, votes only once counted. */
export function ddfView(state: DdfState, viewer: Viewer) {
  const isMaster = viewer.playerId === state.master;
  return {
    stage: state.stage,
    round: state.round,
    deadline: state.deadline,
    master: state.master,
    contestants: state.contestants,
    alive: state.alive,
    departed: state.departed,
    answering: state.stage === 'question' ? (state.queue[0] ?? null) : null,
    upNext: state.stage === 'question' ? state.queue.slice(1) : [],
    question: state.current
      ? isMaster
        ? { text: state.current.question, answer: state.current.answer || null }
        : { text: state.current.question }
      : null,
    stats: state.stats,
    answers: state.answers,
    voted: Object.keys(state.votes),
    myVote: state.votes[viewer.playerId] ?? null,
    tied: state.tied,
    lastVote: state.lastVote,
    masterChange: state.masterChange,
  };
}
