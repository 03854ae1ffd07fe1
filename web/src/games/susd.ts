import { countdown, h, inputForm } from '../dom.js';
import { playerButtons, startButton, votesList, winnersLine } from './common.js';
import type { GameScreen, ScreenContext } from './screen.js';

interface SusdView {
  stage: 'lobby' | 'hints' | 'vote' | 'guess' | 'finished';
  round: number;
  deadline: number | null;
  players: string[];
  turn: string | null;
  role: 'impostor' | 'crew' | 'spectator';
  word: string | null;
  impostor: string | null;
  hints: Array<{ round: number; playerId: string; word: string | null }>;
  voted: string[];
  myVote: string | null;
  votes: Record<string, string> | null;
}

interface SusdResults {
  impostor: string;
  word: string;
  votes: Record<string, string>;
  caught: boolean;
  guess: string | null;
  reason: string;
}

const REASONS: Record<string, string> = {
  not_caught: 'The impostor was not caught.',
  guessed: 'The impostor was caught but guessed the word.',
  wrong_guess: 'The impostor was caught and missed the word.',
  impostor_left: 'The impostor left the game.',
  not_enough_players: 'Too few players were left.',
};

function roleBanner(ctx: ScreenContext<SusdView>) {
  const g = ctx.game;
  if (g.role === 'impostor')
    return h('p', { className: 'role impostor', 'data-testid': 'role' }, 'You are the impostor');
  if (g.role === 'crew')
    return h(
      'p',
      { className: 'role', 'data-testid': 'role' },
      'Secret word: ',
      h('strong', {}, g.word ?? ''),
    );
  return h('p', { className: 'muted' }, 'You are watching this game.');
}

function hintList(ctx: ScreenContext<SusdView>) {
  const g = ctx.game;
  if (g.hints.length === 0) return null;
  return h(
    'ol',
    { className: 'hints', 'data-testid': 'hints' },
    ...g.hints.map((hint) =>
      h(
        'li',
        {},
        h('span', { className: 'muted' }, `Round ${hint.round}, ${ctx.name(hint.playerId)}: `),
        h('strong', {}, hint.word ?? '—'),
      ),
    ),
  );
}

function stage(ctx: ScreenContext<SusdView>) {
  const g = ctx.game;
  const playing = g.players.includes(ctx.me);
  switch (g.stage) {
    case 'lobby':
    case 'finished': {
      const results = ctx.room.results as SusdResults | null;
      return [
        results &&
          h(
            'p',
            { 'data-testid': 'reveal' },
            `${ctx.name(results.impostor)} was the impostor; the word was “${results.word}”. `,
            REASONS[results.reason] ?? '',
          ),
        winnersLine(ctx),
        results && votesList(ctx, results.votes ?? {}, 'Who voted for whom'),
        startButton(ctx),
      ];
    }
    case 'hints':
      return [
        h(
          'p',
          {},
          `Round ${g.round}: `,
          h('strong', {}, ctx.name(g.turn)),
          ' gives a hint ',
          countdown(g.deadline),
        ),
        g.turn === ctx.me &&
          inputForm(
            { name: 'hint', placeholder: 'One word', button: 'Give hint', maxLength: 30, label: 'Your hint' },
            (word) => ctx.act({ type: 'hint', word }),
          ),
      ];
    case 'vote':
      return [
        h('p', {}, 'Who is the impostor? ', countdown(g.deadline)),
        playing && !g.myVote
          ? playerButtons(
              ctx,
              g.players.filter((id) => id !== ctx.me),
              (name) => `Vote ${name}`,
              (playerId) => void ctx.act({ type: 'vote', playerId }),
            )
          : h('p', {}, g.myVote ? `You voted for ${ctx.name(g.myVote)}.` : 'The players are voting.'),
        h('p', { className: 'muted' }, `Voted: ${g.voted.length} of ${g.players.length}`),
      ];
    case 'guess':
      return [
        g.votes && votesList(ctx, g.votes, 'Who voted for whom'),
        h(
          'p',
          {},
          `${ctx.name(g.impostor)} was caught! They may still win by guessing the word. `,
          countdown(g.deadline),
        ),
        g.impostor === ctx.me &&
          inputForm(
            {
              name: 'guess',
              placeholder: 'The secret word',
              button: 'Guess',
              maxLength: 40,
              label: 'Your guess',
            },
            (word) => ctx.act({ type: 'guess', word }),
          ),
      ];
  }
}

export const susdScreen: GameScreen<SusdView> = {
  render(ctx) {
    return [
      ctx.game.stage !== 'lobby' && ctx.game.stage !== 'finished' && roleBanner(ctx),
      ...stage(ctx),
      hintList(ctx),
    ];
  },
};
