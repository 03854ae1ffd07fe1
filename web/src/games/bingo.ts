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
}

const LETTERS = ['B', 'I', 'N', 'G', 'O'];

function card(ctx: ScreenContext<BingoView>) {
  const g = ctx.game;
  if (!g.card) return h('p', { className: 'muted' }, 'You are watching this game.');
  const playing = g.stage === 'playing';
  return h(
    'div',
    { className: `card ${g.mode}`, 'data-testid': 'card' },
    ...(g.mode === 'numbers' ? LETTERS.map((l) => h('div', { className: 'letter' }, l)) : []),
    ...g.card.map((value, cell) => {
      const marked = value === null || g.marks.includes(cell);
      const drawn = value !== null && g.drawn.includes(value);
      return h(
        'button',
        {
          className: ['cell', marked ? 'marked' : '', drawn && !marked ? 'drawn' : ''].join(' '),
          'data-cell': cell,
          'aria-pressed': String(marked),
          disabled: !playing || value === null,
          onclick: () => ctx.act({ type: marked ? 'unmark' : 'mark', cell }),
        },
        value === null ? '★' : value,
      );
    }),
  );
}

export const bingoScreen: GameScreen<BingoView> = {
  extraSettings: [{ key: 'words', label: 'Words for words mode, one per line (at least 25)', kind: 'lines' }],
  render(ctx) {
    const g = ctx.game;
    if (g.stage !== 'playing') {
      return [winnersLine(ctx), startButton(ctx), g.card && card(ctx)];
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
        ctx.isHost && h('button', { onclick: () => ctx.act({ type: 'draw' }) }, 'Draw now'),
      ),
      card(ctx),
      g.card &&
        h(
          'button',
          { className: 'primary big', 'data-testid': 'claim', onclick: () => ctx.act({ type: 'claim' }) },
          'BINGO!',
        ),
      h('p', { className: 'drawn-list' }, g.drawn.join(' · ')),
    ];
  },
};
