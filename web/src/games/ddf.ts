import { countdown, h, inputForm } from '../dom.js';
import { VideoCall } from '../video.js';
import { playerButtons, startButton, winnersLine } from './common.js';
import { names, type GameScreen, type ScreenContext } from './screen.js';

interface DdfView {
  stage: 'lobby' | 'question' | 'vote' | 'tiebreak' | 'elimination' | 'finished';
  round: number;
  deadline: number | null;
  master: string | null;
  contestants: string[];
  alive: string[];
  departed: Array<{ playerId: string; round: number; reason: string }>;
  answering: string | null;
  upNext: string[];
  question: { text: string; answer?: string | null } | null;
  stats: Record<string, { right: number; wrong: number }>;
  answers: Array<{
    playerId: string;
    question: string;
    answer: string | null;
    correct: boolean;
    timedOut: boolean;
  }>;
  voted: string[];
  myVote: string | null;
  tied: string[];
  lastVote: { eliminated: string; decidedBy: string; counts: Record<string, number> } | null;
}

const DECIDED_BY: Record<string, string> = {
  votes: 'by the votes',
  wrong_answers: 'a tie, decided by most wrong answers',
  game_master: 'a tie, decided by the game master',
  chance: 'a tie, decided by chance',
  left: 'they left the game',
};

let call: VideoCall | null = null;

function videoPanel(ctx: ScreenContext<DdfView>) {
  if (!call) call = new VideoCall(ctx.client);
  const others = ctx.room.players.filter((p) => p.connected && p.id !== ctx.me).map((p) => p.id);
  call.sync(others, (id) => ctx.name(id));
  const active = call;
  return h(
    'section',
    { className: 'video-panel' },
    active.element,
    !active.cameraOn &&
      h(
        'button',
        {
          'data-testid': 'camera',
          onclick: (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            active.enableCamera().then(
              () => button.remove(),
              (error: Error) => {
                button.disabled = false;
                button.textContent = `Camera unavailable: ${error.message}`;
              },
            );
          },
        },
        'Turn on camera',
      ),
  );
}

function statsTable(ctx: ScreenContext<DdfView>) {
  const g = ctx.game;
  return h(
    'table',
    { className: 'scores' },
    h('caption', {}, 'Contestants'),
    h('tr', {}, h('th', {}, ''), h('th', {}, '✓'), h('th', {}, '✗')),
    ...g.contestants.map((id) =>
      h(
        'tr',
        { className: [g.alive.includes(id) ? '' : 'out', id === ctx.me ? 'me' : ''].join(' ') },
        h('td', {}, ctx.name(id)),
        h('td', {}, g.stats[id]?.right ?? 0),
        h('td', {}, g.stats[id]?.wrong ?? 0),
      ),
    ),
  );
}

function stage(ctx: ScreenContext<DdfView>) {
  const g = ctx.game;
  const isMaster = ctx.me === g.master;
  const alive = g.alive.includes(ctx.me);
  switch (g.stage) {
    case 'lobby':
    case 'finished':
      return [
        winnersLine(ctx),
        ctx.isHost &&
          h('p', { className: 'muted' }, 'You are the game master: you ask, judge and break ties.'),
        startButton(ctx),
      ];
    case 'question':
      return [
        h(
          'p',
          {},
          `Round ${g.round}: `,
          h('strong', {}, ctx.name(g.answering)),
          ' answers ',
          countdown(g.deadline),
        ),
        h('blockquote', { 'data-testid': 'question' }, g.question?.text ?? ''),
        isMaster &&
          h(
            'div',
            {},
            h('p', { className: 'answer' }, 'Answer: ', h('strong', {}, g.question?.answer ?? '(your own)')),
            h(
              'div',
              { className: 'choices' },
              h(
                'button',
                { className: 'good', onclick: () => ctx.act({ type: 'mark', correct: true }) },
                '✓ Right',
              ),
              h(
                'button',
                { className: 'bad', onclick: () => ctx.act({ type: 'mark', correct: false }) },
                '✗ Wrong',
              ),
            ),
            h(
              'details',
              { 'data-key': 'own-question' },
              h('summary', {}, 'Ask your own question instead'),
              inputForm(
                {
                  name: 'own-question',
                  placeholder: 'Question',
                  button: 'Ask',
                  maxLength: 300,
                  label: 'Question',
                },
                (question) => ctx.act({ type: 'ask', question }),
              ),
            ),
          ),
        g.upNext.length > 0 && h('p', { className: 'muted' }, `Then: ${names(ctx, g.upNext)}`),
      ];
    case 'vote':
      return [
        h('p', {}, `Round ${g.round}: who should leave? `, countdown(g.deadline)),
        alive && !g.myVote
          ? playerButtons(
              ctx,
              g.alive.filter((id) => id !== ctx.me),
              (name) => `Vote ${name}`,
              (playerId) => ctx.act({ type: 'vote', playerId }),
            )
          : h('p', {}, g.myVote ? `You voted for ${ctx.name(g.myVote)}.` : 'The contestants are voting.'),
        h('p', { className: 'muted' }, `Voted: ${g.voted.length} of ${g.alive.length}`),
      ];
    case 'tiebreak':
      return [
        h('p', {}, `A tie between ${names(ctx, g.tied)}. `, countdown(g.deadline)),
        isMaster
          ? playerButtons(
              ctx,
              g.tied,
              (name) => `${name} leaves`,
              (playerId) => ctx.act({ type: 'decide', playerId }),
            )
          : h('p', {}, 'The game master decides who leaves.'),
      ];
    case 'elimination':
      return [
        g.lastVote &&
          h(
            'p',
            { className: 'out-line', 'data-testid': 'eliminated' },
            `${ctx.name(g.lastVote.eliminated)} is out: ${DECIDED_BY[g.lastVote.decidedBy] ?? ''}.`,
          ),
        isMaster
          ? h('button', { className: 'primary', onclick: () => ctx.act({ type: 'next' }) }, 'Next round')
          : h('p', { className: 'muted' }, 'Next round in ', countdown(g.deadline)),
      ];
  }
}

export const ddfScreen: GameScreen<DdfView> = {
  render(ctx) {
    const g = ctx.game;
    const role =
      ctx.me === g.master
        ? 'You are the game master.'
        : g.alive.includes(ctx.me)
          ? null
          : g.contestants.includes(ctx.me)
            ? 'You are out: watch the rest.'
            : null;
    return [
      videoPanel(ctx),
      role && g.stage !== 'lobby' && h('p', { className: 'role' }, role),
      ...stage(ctx),
      g.contestants.length > 0 && statsTable(ctx),
    ];
  },
  dispose() {
    call?.dispose();
    call = null;
  },
};
