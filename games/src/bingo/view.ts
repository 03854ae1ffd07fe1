import type { GameContext, Viewer } from '@gamebuddies/rooms';
import type { BingoState, Card } from './rules.js';
import type { BingoSettings } from './schemas.js';

/**
 * A player sees their own card and marks; of the others only how many cells they marked. Once the
 * game is over the winners' cards are shown to everyone, so the winning line can be seen.
 */
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
    winnerCards: state.stage === 'finished' ? winnerCards(state) : {},
  };
}

function winnerCards(state: BingoState): Record<string, { card: Card; line: number[] }> {
  // Rooms saved before `lines` existed have none.
  const lines = state.lines ?? {};
  return Object.fromEntries(
    Object.keys(lines)
      .filter((id) => state.cards[id])
      .map((id) => [id, { card: state.cards[id]!, line: lines[id]! }]),
  );
}
