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
  masterChange: { round: number; from: string | null; to: string } | null;
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
    { className: 'video-panel', 'data-free': '' },
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
    h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Contestant'),
      h('th', { scope: 'col', 'aria-label': 'Right answers' }, '✓'),
      h('th', { scope: 'col', 'aria-label': 'Wrong answers' }, '✗'),
    ),
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

/** The latest judged answer, shown to everyone once judged. */
function lastJudged(ctx: ScreenContext<DdfView>) {
  const last = ctx.game.answers.at(-1);
  if (!last) return null;
  const verdict = last.timedOut ? 'ran out of time' : last.correct ? 'was right' : 'was wrong';
  return h(
    'p',
    { className: `judged ${last.correct ? 'right' : 'wrong'}`, 'data-testid': 'judged' },
    `${ctx.name(last.playerId)} ${verdict}${last.answer ? '. The answer: ' : '.'}`,
    last.answer && h('strong', {}, last.answer),
  );
}

function voteCounts(ctx: ScreenContext<DdfView>, counts: Record<string, number>) {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return h(
    'p',
    { className: 'muted', 'data-testid': 'vote-counts' },
    'Votes: ',
    sorted.map(([id, n]) => `${ctx.name(id)} ${n}`).join(' · '),
  );
}

const TIE_RULE =
  'Most votes leaves. A tie goes to the one with the most wrong answers; if still tied, the game master decides.';

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
        g.answering === ctx.me &&
          h('p', { className: 'your-turn', 'data-testid': 'your-turn' }, 'Your turn: answer out loud!'),
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
                { className: 'good', onclick: () => void ctx.act({ type: 'mark', correct: true }) },
                '✓ Right',
              ),
              h(
                'button',
                { className: 'bad', onclick: () => void ctx.act({ type: 'mark', correct: false }) },
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
        lastJudged(ctx),
        g.upNext.length > 0 && h('p', { className: 'muted' }, `Then: ${names(ctx, g.upNext)}`),
      ];
    case 'vote':
      return [
        lastJudged(ctx),
        h('p', {}, `Round ${g.round}: who should leave? `, countdown(g.deadline)),
        alive && !g.myVote
          ? playerButtons(
              ctx,
              g.alive.filter((id) => id !== ctx.me),
              (name) => `Vote ${name}`,
              (playerId) => void ctx.act({ type: 'vote', playerId }),
            )
          : h(
              'p',
              {},
              g.myVote
                ? `You voted for ${ctx.name(g.myVote)}.`
                : isMaster
                  ? 'The contestants are voting; you break a tie if it comes to that.'
                  : 'The contestants are voting.',
            ),
        h('p', { className: 'muted' }, `Voted: ${g.voted.length} of ${g.alive.length}. ${TIE_RULE}`),
      ];
    case 'tiebreak':
      return [
        h(
          'p',
          {},
          `A tie between ${names(ctx, g.tied)}, with as many wrong answers. `,
          countdown(g.deadline),
        ),
        isMaster
          ? playerButtons(
              ctx,
              g.tied,
              (name) => `${name} leaves`,
              (playerId) => void ctx.act({ type: 'decide', playerId }),
            )
          : h('p', {}, 'The game master decides who leaves (chance decides if time runs out).'),
      ];
    case 'elimination':
      return [
        g.lastVote &&
          h(
            'p',
            { className: 'out-line', 'data-testid': 'eliminated' },
            `${ctx.name(g.lastVote.eliminated)} is out: ${DECIDED_BY[g.lastVote.decidedBy] ?? ''}.`,
          ),
        g.lastVote && voteCounts(ctx, g.lastVote.counts),
        isMaster &&
          h('button', { className: 'primary', onclick: () => void ctx.act({ type: 'next' }) }, 'Next round'),
        h('p', { className: 'muted' }, 'Next round in ', countdown(g.deadline)),
      ];
  }
}

/** One line saying who this player is in the game, never two that contradict each other. */
function roleLine(ctx: ScreenContext<DdfView>) {
  const g = ctx.game;
  if (g.stage === 'lobby' || g.stage === 'finished') return null;
  if (ctx.me === g.master) return 'You are the game master: you ask, judge and break ties.';
  if (g.alive.includes(ctx.me)) return null;
  if (g.contestants.includes(ctx.me)) return 'You are out: watch the rest.';
  return 'You are watching this game.';
}

export const ddfScreen: GameScreen<DdfView> = {
  render(ctx) {
    const g = ctx.game;
    const role = roleLine(ctx);
    const change = g.masterChange;
    return [
      videoPanel(ctx),
      change &&
        g.stage !== 'finished' &&
        change.round === g.round &&
        h(
          'p',
          { className: 'notice', 'data-testid': 'master-change' },
          change.to === ctx.me
            ? 'The game master left: you are the game master now.'
            : `The game master left: ${ctx.name(change.to)} is the game master now.`,
        ),
      role && h('p', { className: 'role', 'data-testid': 'role' }, role),
      ...stage(ctx),
      g.contestants.length > 0 && statsTable(ctx),
    ];
  },
  dispose() {
    call?.dispose();
    call = null;
  },
};
