import { h, type Child } from '../dom.js';
import { names, type ScreenContext } from './screen.js';

/** The host's start (or play again) button, or a line telling the others to wait. */
export function startButton(ctx: ScreenContext<{ stage: string }>, label?: string): Child {
  const again = ctx.room.phase === 'finished';
  return ctx.isHost
    ? h(
        'button',
        { className: 'primary', 'data-testid': 'start', onclick: () => ctx.act({ type: 'start' }) },
        label ?? (again ? 'Play again' : 'Start game'),
      )
    : h(
        'p',
        { className: 'muted' },
        again ? 'The host can start another game.' : 'Waiting for the host to start.',
      );
}

/** "Winner: Ann" once the room has results with `winners`. */
export function winnersLine(ctx: ScreenContext<unknown>): Child {
  const results = ctx.room.results as { winners?: string[] } | null;
  if (!results?.winners) return null;
  const text = results.winners.length === 0 ? 'Nobody won.' : `Winner: ${names(ctx, results.winners)}`;
  return h('p', { className: 'winner', 'data-testid': 'winner' }, `🏆 ${text}`);
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
