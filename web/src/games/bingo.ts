import { countdown, h } from '../dom.js';
import { startButton, winnersLine } from './common.js';
import type { GameScreen, ScreenContext } from './screen.js';

type Cell = number | string | null;

interface BingoView {
  stage: 'lobby' | 'playing' | 'finished';
  mode: 'numbers' | 'words';
  deadline: number | null;
  players: string[];
  drawn: Array<number | string>;
  left: number;
  card: Cell[] | null;
  marks: number[];
  markCounts: Record<string, number>;
  winnerCards: Record<string, { card: Cell[]; line: number[] }>;
}

const LETTERS = ['B', 'I', 'N', 'G', 'O'];

function card(ctx: ScreenContext<BingoView>) {
  const g = ctx.game;
  if (!g.card) return h('p', { className: 'muted' }, 'You are watching this game.');
  const playing = g.stage === 'playing';
  const winningLine = g.winnerCards[ctx.me]?.line ?? [];
  return h(
    'div',
    { className: `card ${g.mode}`, 'data-testid': 'card', role: 'group', 'aria-label': 'Your card' },
    ...(g.mode === 'numbers'
      ? LETTERS.map((l) => h('div', { className: 'letter', 'aria-hidden': 'true' }, l))
      : []),
    ...g.card.map((value, cell) => {
      const marked = value === null || g.marks.includes(cell);
      const drawn = value !== null && g.drawn.includes(value);
      return h(
        'button',
        {
          className: [
            'cell',
            marked ? 'marked' : '',
            drawn && !marked ? 'drawn' : '',
            winningLine.includes(cell) ? 'win' : '',
          ].join(' '),
          'data-cell': cell,
          'aria-pressed': String(marked),
          'aria-label': value === null ? 'Free cell' : `${value}${drawn && !marked ? ', drawn' : ''}`,
          disabled: !playing || value === null,
          // A mark names its cell: it holds whatever was drawn meanwhile, so it needs no turn.
          onclick: () => void ctx.act({ type: marked ? 'unmark' : 'mark', cell }, { anyTurn: true }),
        },
        value === null ? '★' : value,
      );
    }),
  );
}

/** Once over: each winner's card with the winning line lit, for everyone to see. */
function winningCards(ctx: ScreenContext<BingoView>) {
  const g = ctx.game;
  return Object.entries(g.winnerCards)
    .filter(([id]) => id !== ctx.me)
    .map(([id, { card: cells, line }]) =>
      h(
        'figure',
        { className: 'winning-card' },
        h('figcaption', {}, `${ctx.name(id)}’s winning line`),
        h(
          'div',
          { className: `card ${g.mode}`, 'data-testid': 'winning-card' },
          ...cells.map((value, cell) =>
            h(
              'div',
              { className: ['cell', line.includes(cell) ? 'win' : ''].join(' ') },
              value === null ? '★' : value,
            ),
          ),
        ),
      ),
    );
}

function drawnList(g: BingoView) {
  if (g.drawn.length === 0) return null;
  return h(
    'p',
    { className: 'drawn-list', 'data-testid': 'drawn-list' },
    h('span', { className: 'sr-only' }, 'Drawn so far: '),
    g.drawn.join(' · '),
  );
}

export const bingoScreen: GameScreen<BingoView> = {
  render(ctx) {
    const g = ctx.game;
    if (g.stage !== 'playing') {
      return [winnersLine(ctx), startButton(ctx), g.card && card(ctx), ...winningCards(ctx), drawnList(g)];
    }
    const last = g.drawn.at(-1);
    return [
      h(
        'div',
        { className: 'draw' },
        h('span', { className: 'last', 'data-testid': 'last-drawn' }, last ?? '…'),
        h(
          'span',
          { className: 'muted' },
          ` ${g.drawn.length} drawn, ${g.left} left · next in `,
          countdown(g.deadline),
        ),
        ctx.isHost && h('button', { onclick: () => void ctx.act({ type: 'draw' }) }, 'Draw now'),
      ),
      g.card && h('p', { className: 'muted' }, 'Tap a drawn number to mark it; a full line wins.'),
      card(ctx),
      g.card &&
        h(
          'button',
          {
            className: 'primary big',
            'data-testid': 'claim',
            onclick: () => void ctx.act({ type: 'claim' }),
          },
          'BINGO!',
        ),
      drawnList(g),
    ];
  },
};
