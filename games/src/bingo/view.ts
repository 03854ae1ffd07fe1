import type { GameContext, Viewer } from '@gamebuddies/rooms';
import type { BingoState } from './rules.js';
import type { BingoSettings } from './schemas.js';

/** A player sees their own card and marks; of the others only how many cells they marked. */
export function bingoView(state: BingoState, viewer: Viewer, ctx: GameContext<BingoSettings>) {
  const playing = state.players.includes(viewer.playerId);
  return {
    stage: state.stage,
    mode: ctx.settings.mode,
    deadline: state.deadline,
    players: state.players,
    drawn: state.drawn,
    left: state.pool.length,
    card: playing ? (state.cards[viewer.playerId] ?? null) : null,
    marks: playing ? (state.marks[viewer.playerId] ?? []) : [],
    markCounts: Object.fromEntries(state.players.map((id) => [id, state.marks[id]?.length ?? 0])),
  };
}
