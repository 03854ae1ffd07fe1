import { GameRuleError, type GameContext } from '@gamebuddies/rooms';
import { shuffle } from '../common.js';
import type { BingoSettings } from './schemas.js';
import { BINGO_WORDS } from './words.js';

export type Ctx = GameContext<BingoSettings>;

/** A card is 25 cells, row by row; `null` is the free centre. */
export type CellValue = number | string;
export type Card = Array<CellValue | null>;

export const SIZE = 5;
export const CENTER = 12;
export const BALLS_PER_COLUMN = 15;

/** Rows, columns and both diagonals, as cell indexes. */
export const LINES: readonly number[][] = [
  ...Array.from({ length: SIZE }, (_, r) => Array.from({ length: SIZE }, (_, c) => r * SIZE + c)),
  ...Array.from({ length: SIZE }, (_, c) => Array.from({ length: SIZE }, (_, r) => r * SIZE + c)),
  Array.from({ length: SIZE }, (_, i) => i * SIZE + i),
  Array.from({ length: SIZE }, (_, i) => i * SIZE + (SIZE - 1 - i)),
];

export interface BingoResults {
  winners: string[];
  /** The completed line of each winner, as cell indexes. */
  lines: Record<string, number[]>;
  reason: 'bingo' | 'all_drawn' | 'no_players';
}

export interface BingoState {
  stage: 'lobby' | 'playing' | 'finished';
  step: number;
  players: string[];
  /** Each player's card is theirs alone: it is never in another player's view. */
  cards: Record<string, Card>;
  marks: Record<string, number[]>;
  /** Not drawn yet (a draw takes a random one, so there is no order to leak). */
  pool: CellValue[];
  drawn: CellValue[];
  /** Once finished: each winner's completed line (as in the results). */
  lines: Record<string, number[]>;
  deadline: number | null;
}

export function initialState(): BingoState {
  return {
    stage: 'lobby',
    step: 0,
    players: [],
    cards: {},
    marks: {},
    pool: [],
    drawn: [],
    lines: {},
    deadline: null,
  };
}

function values(settings: BingoSettings): CellValue[] {
  if (settings.mode === 'words') return [...(settings.words ?? BINGO_WORDS)];
  return Array.from({ length: SIZE * BALLS_PER_COLUMN }, (_, i) => i + 1);
}

/** Classic cards take column c's numbers from c*15+1 … c*15+15; word cards take any words. */
function dealCard(settings: BingoSettings, ctx: Ctx): Card {
  const card: Card = new Array<CellValue | null>(SIZE * SIZE).fill(null);
  if (settings.mode === 'numbers') {
    for (let c = 0; c < SIZE; c++) {
      const column = Array.from({ length: BALLS_PER_COLUMN }, (_, i) => c * BALLS_PER_COLUMN + i + 1);
      shuffle(column, ctx)
        .slice(0, SIZE)
        .forEach((n, r) => (card[r * SIZE + c] = n));
    }
  } else {
    shuffle(values(settings), ctx)
      .slice(0, SIZE * SIZE)
      .forEach((w, i) => (card[i] = w));
  }
  if (settings.freeCenter) card[CENTER] = null;
  return card;
}

export function start(state: BingoState, ctx: Ctx): BingoState {
  const players = ctx.players.filter((p) => p.connected).map((p) => p.id);
  if (players.length < 2) throw new GameRuleError('At least 2 connected players are needed');
  ctx.setPhase('playing');
  const cards: Record<string, Card> = {};
  const seen = new Set<string>();
  for (const id of players) {
    // Two equal cards would share every win; dealing again is cheap and the pool makes it rare.
    let card = dealCard(ctx.settings, ctx);
    for (let attempt = 0; seen.has(JSON.stringify(card)) && attempt < 50; attempt++) {
      card = dealCard(ctx.settings, ctx);
    }
    if (seen.has(JSON.stringify(card))) throw new GameRuleError('Could not deal distinct cards');
    seen.add(JSON.stringify(card));
    cards[id] = card;
  }
  const fresh: BingoState = {
    ...initialState(),
    step: state.step,
    players,
    cards,
    marks: Object.fromEntries(players.map((id) => [id, []])),
    pool: values(ctx.settings),
  };
  return armDraw({ ...fresh, stage: 'playing' }, ctx);
}

function armDraw(state: BingoState, ctx: Ctx): BingoState {
  const step = state.step + 1;
  const ms = ctx.settings.drawSeconds * 1000;
  ctx.setTimer('draw', ms, { step });
  return { ...state, step, deadline: ctx.now + ms };
}

/** Draws one value; once none is left, the game ends with whoever holds a complete line. */
export function draw(state: BingoState, ctx: Ctx): BingoState {
  if (state.stage !== 'playing') throw new GameRuleError('The game is not running');
  if (state.pool.length === 0) return endAllDrawn(state, ctx);
  const i = ctx.randomInt(state.pool.length);
  const value = state.pool[i]!;
  const next = { ...state, pool: state.pool.filter((_, j) => j !== i), drawn: [...state.drawn, value] };
  return armDraw(next, ctx);
}

function requirePlayer(state: BingoState, playerId: string): Card {
  if (state.stage !== 'playing') throw new GameRuleError('The game is not running');
  const card = state.cards[playerId];
  if (!card || !state.players.includes(playerId)) throw new GameRuleError('You are watching this game');
  return card;
}

export function mark(state: BingoState, playerId: string, cell: number): BingoState {
  const card = requirePlayer(state, playerId);
  const value = card[cell];
  if (value === null || value === undefined) throw new GameRuleError('The free cell is always marked');
  if (!state.drawn.includes(value)) throw new GameRuleError(`${value} has not been drawn`);
  const mine = state.marks[playerId] ?? [];
  if (mine.includes(cell)) return state;
  return { ...state, marks: { ...state.marks, [playerId]: [...mine, cell].sort((a, b) => a - b) } };
}

export function unmark(state: BingoState, playerId: string, cell: number): BingoState {
  requirePlayer(state, playerId);
  const mine = state.marks[playerId] ?? [];
  return { ...state, marks: { ...state.marks, [playerId]: mine.filter((c) => c !== cell) } };
}

/** A line counts when each of its cells is free or marked and drawn: the server checks, never trusts. */
export function completeLine(
  card: Card,
  marked: readonly number[],
  drawn: readonly CellValue[],
): number[] | null {
  const ok = (cell: number) => {
    const value = card[cell];
    return value === null || (marked.includes(cell) && drawn.includes(value!));
  };
  return LINES.find((line) => line.every(ok)) ?? null;
}

export function claim(state: BingoState, playerId: string, ctx: Ctx): BingoState {
  const card = requirePlayer(state, playerId);
  const line = completeLine(card, state.marks[playerId] ?? [], state.drawn);
  if (!line) throw new GameRuleError('No complete line on your card: the claim is rejected');
  return finish(state, { winners: [playerId], lines: { [playerId]: line }, reason: 'bingo' }, ctx);
}

/** Everything was drawn and nobody claimed: every card with a line among the draws wins. */
function endAllDrawn(state: BingoState, ctx: Ctx): BingoState {
  const lines: Record<string, number[]> = {};
  for (const id of state.players) {
    const card = state.cards[id]!;
    const everyCell = card.map((_, i) => i);
    const line = completeLine(card, everyCell, state.drawn);
    if (line) lines[id] = line;
  }
  return finish(state, { winners: Object.keys(lines), lines, reason: 'all_drawn' }, ctx);
}

function finish(state: BingoState, results: BingoResults, ctx: Ctx): BingoState {
  ctx.clearTimer('draw');
  ctx.finish(results);
  return { ...state, stage: 'finished', step: state.step + 1, lines: results.lines, deadline: null };
}

export function removePlayer(state: BingoState, playerId: string, ctx: Ctx): BingoState {
  if (!state.players.includes(playerId)) return state;
  const next = { ...state, players: state.players.filter((id) => id !== playerId) };
  if (next.players.length === 0) return finish(next, { winners: [], lines: {}, reason: 'no_players' }, ctx);
  return next;
}
