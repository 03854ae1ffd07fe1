import { h } from '../dom.js';

export interface Sample {
  at: number;
  players: number;
  rooms: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 120;

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

/** Players and rooms over the last minutes, as two lines (no chart library: a polyline each). */
export function playersChart(samples: readonly Sample[], windowMs: number): HTMLElement {
  const now = Date.now();
  const max = Math.max(4, ...samples.map((s) => Math.max(s.players, s.rooms)));
  const x = (at: number) => ((at - (now - windowMs)) / windowMs) * WIDTH;
  const y = (v: number) => HEIGHT - 4 - (v / max) * (HEIGHT - 8);
  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    class: 'chart',
    role: 'img',
    'aria-label': `Players and rooms over the last ${Math.round(windowMs / 60_000)} minutes`,
  });
  chart.appendChild(svg('line', { x1: 0, x2: WIDTH, y1: HEIGHT - 4, y2: HEIGHT - 4, class: 'axis' }));
  for (const [key, cls] of [
    ['players', 'players-line'],
    ['rooms', 'rooms-line'],
  ] as const) {
    if (samples.length === 0) continue;
    const points = samples.map((s) => `${x(s.at).toFixed(1)},${y(s[key]).toFixed(1)}`);
    points.push(`${WIDTH},${y(samples[samples.length - 1]![key]).toFixed(1)}`);
    chart.appendChild(svg('polyline', { points: points.join(' '), class: cls }));
  }
  const last = samples[samples.length - 1];
  return h(
    'figure',
    { className: 'chart-box' },
    chart,
    h(
      'figcaption',
      { className: 'small' },
      h('span', { className: 'key players-key' }, `players ${last?.players ?? 0}`),
      ' ',
      h('span', { className: 'key rooms-key' }, `rooms ${last?.rooms ?? 0}`),
      h('span', { className: 'muted' }, ` · last ${Math.round(windowMs / 60_000)} minutes (top: ${max})`),
    ),
  );
}
