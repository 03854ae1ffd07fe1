import { countdown, h, inputForm } from '../dom.js';
import { scoreTable, startButton, winnersLine } from './common.js';
import type { GameScreen, ScreenContext } from './screen.js';

interface Category {
  low: string;
  high: string;
}

interface ClueView {
  stage: 'lobby' | 'clue' | 'guess' | 'reveal' | 'finished';
  round: number;
  rounds: number;
  deadline: number | null;
  players: string[];
  giver: string | null;
  nextGiver: string | null;
  category: Category | null;
  target: number | null;
  clue: string | null;
  guessed: string[];
  myGuess: number | null;
  scores: Record<string, number>;
  lastRound: {
    giver: string;
    category: Category;
    target: number;
    clue: string | null;
    guesses: Record<string, number>;
    points: Record<string, number>;
  } | null;
}

/** The 1–10 scale; `pick` makes its numbers buttons, `mine` marks the player's own guess. */
function scale(
  category: Category,
  mark: { target?: number | null; guesses?: Record<string, number>; mine?: number | null },
  pick?: (n: number) => void,
  ctx?: ScreenContext<ClueView>,
) {
  return h(
    'div',
    { className: `scale ${pick ? 'active' : 'inactive'}` },
    h('div', { className: 'ends' }, h('span', {}, `← ${category.low}`), h('span', {}, `${category.high} →`)),
    h(
      'div',
      {
        className: 'numbers',
        role: 'group',
        'aria-label': `From ${category.low} (1) to ${category.high} (10)`,
      },
      ...Array.from({ length: 10 }, (_, i) => {
        const n = i + 1;
        const guessers = Object.entries(mark.guesses ?? {})
          .filter(([, v]) => v === n)
          .map(([id]) => ctx?.name(id) ?? '');
        return h(
          'button',
          {
            className: [n === mark.target ? 'target' : '', n === mark.mine ? 'mine' : ''].join(' '),
            disabled: !pick,
            title: guessers.join(', '),
            'aria-pressed': n === mark.mine ? 'true' : undefined,
            onclick: () => pick?.(n),
          },
          String(n),
          guessers.length > 0 && h('small', {}, ` ${guessers.join(', ')}`),
        );
      }),
    ),
  );
}

function stage(ctx: ScreenContext<ClueView>) {
  const g = ctx.game;
  const giving = g.giver === ctx.me;
  switch (g.stage) {
    case 'lobby':
    case 'finished':
      return [winnersLine(ctx), startButton(ctx)];
    case 'clue':
      return [
        h(
          'p',
          {},
          `Round ${g.round} of ${g.rounds}: `,
          h('strong', {}, ctx.name(g.giver)),
          ' gives a clue ',
          countdown(g.deadline),
        ),
        g.category && scale(g.category, { target: g.target }),
        giving && h('p', { 'data-testid': 'target' }, 'Your secret number: ', h('strong', {}, g.target)),
        giving &&
          inputForm(
            {
              name: 'clue',
              placeholder: 'A clue, without numbers',
              button: 'Give clue',
              maxLength: 60,
              label: 'Your clue',
            },
            (text) => ctx.act({ type: 'clue', text }),
          ),
      ];
    case 'guess': {
      const canGuess = !giving && g.players.includes(ctx.me) && g.myGuess === null;
      return [
        h(
          'p',
          {},
          `${ctx.name(g.giver)}’s clue: `,
          h('strong', { 'data-testid': 'clue' }, `“${g.clue}”`),
          ' ',
          countdown(g.deadline),
        ),
        g.category &&
          scale(
            g.category,
            { target: g.target, mine: g.myGuess },
            canGuess ? (value) => void ctx.act({ type: 'guess', value }) : undefined,
          ),
        canGuess && h('p', { className: 'prompt' }, 'Tap a number: where on the scale does the clue point?'),
        g.myGuess !== null && h('p', { 'data-testid': 'my-guess' }, `You guessed ${g.myGuess}.`),
        h('p', { className: 'muted' }, `Guessed: ${g.guessed.length} of ${g.players.length - 1}`),
      ];
    }
    case 'reveal': {
      const last = g.lastRound!;
      return [
        h(
          'p',
          { 'data-testid': 'reveal' },
          `The number was ${last.target}. `,
          last.clue === null ? 'No clue was given.' : `Clue: “${last.clue}”.`,
        ),
        scale(last.category, { target: last.target, guesses: last.guesses }, undefined, ctx),
        h(
          'ul',
          {},
          ...Object.entries(last.points)
            .filter(([, p]) => p > 0)
            .map(([id, p]) => h('li', {}, `${ctx.name(id)} +${p}`)),
        ),
        ctx.isHost &&
          h('button', { className: 'primary', onclick: () => void ctx.act({ type: 'next' }) }, 'Next round'),
        h('p', { className: 'muted' }, 'Next round in ', countdown(g.deadline)),
      ];
    }
  }
}

export const clueScreen: GameScreen<ClueView> = {
  render(ctx) {
    return [...stage(ctx), scoreTable(ctx, ctx.game.players, ctx.game.scores)];
  },
};
