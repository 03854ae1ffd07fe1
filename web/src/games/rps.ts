import { h } from '../dom.js';
import type { GameScreen } from './screen.js';
import { scoreTable, startButton, winnersLine } from './common.js';

interface RpsView {
  stage: 'lobby' | 'choosing' | 'reveal' | 'finished';
  round: number;
  rounds: number;
  deadline: number | null;
  participants: string[];
  scores: Record<string, number>;
  chosen: string[];
  myChoice: string | null;
  lastRound: { choices: Record<string, string | null>; points: Record<string, number> } | null;
}

const ICONS: Record<string, string> = { rock: '✊', paper: '✋', scissors: '✌️' };

export const rpsScreen: GameScreen<RpsView> = {
  render(ctx) {
    const g = ctx.game;
    if (g.stage === 'lobby' || g.stage === 'finished') {
      return [winnersLine(ctx), startButton(ctx), scoreTable(ctx, g.participants, g.scores)];
    }
    if (g.stage === 'choosing') {
      const playing = g.participants.includes(ctx.me);
      return [
        h('p', {}, `Round ${g.round} of ${g.rounds}: choose!`),
        playing &&
          h(
            'div',
            { className: 'choices' },
            ...Object.entries(ICONS).map(([choice, icon]) =>
              h(
                'button',
                {
                  title: choice,
                  'aria-label': choice,
                  disabled: !!g.myChoice,
                  className: g.myChoice === choice ? 'picked' : '',
                  onclick: () => void ctx.act({ type: 'choose', choice }),
                },
                icon,
              ),
            ),
          ),
        h('p', {}, `Chosen: ${g.chosen.map((id) => ctx.name(id)).join(', ') || 'nobody yet'}`),
        scoreTable(ctx, g.participants, g.scores),
      ];
    }
    const last = g.lastRound;
    return [
      h('p', {}, `Round ${g.round} results`),
      last &&
        h(
          'ul',
          {},
          ...Object.entries(last.choices).map(([id, c]) =>
            h('li', {}, `${ctx.name(id)}: ${c ? ICONS[c] : '—'} (+${last.points[id] ?? 0})`),
          ),
        ),
      ctx.isHost && h('button', { onclick: () => void ctx.act({ type: 'next' }) }, 'Next'),
      scoreTable(ctx, g.participants, g.scores),
    ];
  },
};
