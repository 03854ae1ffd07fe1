import { h, type Child } from '../dom.js';
import { names, type ScreenContext } from './screen.js';

/** The host's start (or play again) button, or a line telling the others to wait. */
export function startButton(ctx: ScreenContext<{ stage: string }>, label?: string): Child {
  const again = ctx.room.phase === 'finished';
  return ctx.isHost
    ? h(
        'button',
        { className: 'primary', 'data-testid': 'start', onclick: () => void ctx.act({ type: 'start' }) },
        label ?? (again ? 'Play again' : 'Start game'),
      )
    : h(
        'p',
        { className: 'muted' },
        again ? 'The host can start another game.' : 'Waiting for the host to start.',
      );
}

/** "Winner: Ann" once the room has results with `winners`; a winner reads "You won!" too. */
export function winnersLine(ctx: ScreenContext<unknown>): Child {
  const results = ctx.room.results as { winners?: string[] } | null;
  if (!results?.winners) return null;
  const text = results.winners.length === 0 ? 'Nobody won.' : `Winner: ${names(ctx, results.winners)}`;
  return h(
    'div',
    {},
    results.winners.includes(ctx.me) &&
      h('p', { className: 'you-won', 'data-testid': 'you-won' }, 'You won!'),
    h('p', { className: 'winner', 'data-testid': 'winner' }, `🏆 ${text}`),
  );
}

export function scoreTable(
  ctx: ScreenContext<unknown>,
  ids: readonly string[],
  scores: Record<string, number>,
) {
  if (ids.length === 0) return null;
  const sorted = [...ids].sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  return h(
    'table',
    { className: 'scores' },
    h('caption', {}, 'Scores'),
    h('tr', {}, h('th', { scope: 'col' }, 'Player'), h('th', { scope: 'col' }, 'Points')),
    ...sorted.map((id) =>
      h(
        'tr',
        { className: id === ctx.me ? 'me' : '' },
        h('td', {}, ctx.name(id)),
        h('td', {}, scores[id] ?? 0),
      ),
    ),
  );
}

/** One button per player, e.g. to vote someone out. */
export function playerButtons(
  ctx: ScreenContext<unknown>,
  ids: readonly string[],
  label: (name: string) => string,
  onPick: (id: string) => void,
): Child {
  return h(
    'div',
    { className: 'choices' },
    ...ids.map((id) => h('button', { onclick: () => onPick(id) }, label(ctx.name(id)))),
  );
}

/** Who voted for whom, once a vote is over ("Ann → Bob"). */
export function votesList(
  ctx: ScreenContext<unknown>,
  votes: Record<string, string>,
  caption: string,
): Child {
  const entries = Object.entries(votes);
  if (entries.length === 0) return null;
  return h(
    'div',
    { className: 'votes', 'data-testid': 'votes' },
    h('h3', {}, caption),
    h('ul', {}, ...entries.map(([voter, target]) => h('li', {}, `${ctx.name(voter)} → ${ctx.name(target)}`))),
  );
}
