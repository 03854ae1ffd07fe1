import type { LatencySummary } from './histogram.js';
import { fmtBytes, fmtMs, fmtNum, fmtPct } from './format.js';
import type { LoadResult, TimelinePoint } from './loadResult.js';

/** What `--json` writes and the HTML report shows. */
export interface LoadTestReport extends LoadResult {
  tool: 'gamebuddies-load-test';
  startedAt: string;
  finishedAt: string;
  command: string;
  options: Record<string, unknown>;
  machine: { cpus: number; cpuModel: string; node: string; memoryBytes: number; loadAverage: number[] };
  roomCreation: LatencySummary;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Series {
  name: string;
  color: string;
  values: Array<number | null>;
}

/** A line chart as inline SVG: x = seconds, shaded steady phase, one line per series. */
function chart(title: string, unit: string, points: TimelinePoint[], series: Series[]): string {
  const W = 860;
  const H = 240;
  const m = { l: 64, r: 16, t: 28, b: 34 };
  const xs = points.map((p) => p.t);
  const xMax = Math.max(1, ...xs);
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const rawMax = Math.max(0, ...all);
  const yMax = niceCeil(rawMax || 1);
  const x = (t: number) => m.l + (t / xMax) * (W - m.l - m.r);
  const y = (v: number) => H - m.b - (v / yMax) * (H - m.t - m.b);
  const steady = points.filter((p) => p.phase === 'steady');
  const parts: string[] = [];
  if (steady.length) {
    const x0 = x(steady[0]!.t - 1);
    const x1 = x(steady.at(-1)!.t);
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${m.t}" width="${(x1 - x0).toFixed(1)}" height="${H - m.t - m.b}" fill="#eef5ee"/>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(tick(v))}</text>`,
    );
  }
  const step = niceCeil(xMax / 10);
  for (let t = 0; t <= xMax; t += step) {
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<text x="${W - m.r}" y="${H - 4}" text-anchor="end">seconds since the ramp started</text>`);
  parts.push(`<text x="${m.l}" y="16" font-weight="bold">${esc(title)} (${esc(unit)})</text>`);
  series.forEach((s, i) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, j) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(xs[j]!).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    const lx = W - m.r - 150 * (series.length - i);
    parts.push(`<rect x="${lx}" y="8" width="12" height="4" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 16}" y="14">${esc(s.name)}</text>`);
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

function tick(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderReport(r: LoadTestReport): string {
  const tl = r.timeline;
  const latencyRows = [
    ['room creation (Rooms API)', r.roomCreation],
    ['player join (lookup + connect + room:joined)', r.join],
    ['action round trip (ack)', r.ack],
    ['broadcast delivery (send → chat:message)', r.delivery],
  ].map(([name, s]) => {
    const x = s as LatencySummary;
    return [name as string, fmtNum(x.count), fmtMs(x.p50), fmtMs(x.p95), fmtMs(x.p99), fmtMs(x.max)];
  });
  const errors = Object.entries(r.counts.ackErrors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const summary = [
    [
      'players connected at the end',
      `${fmtNum(r.counts.connectedAtEnd)} of ${fmtNum(r.players)} (${r.rooms} rooms of ${r.roomSize})`,
    ],
    ['actions per second (steady)', fmtNum(r.throughput.actionsPerSec, 1)],
    [
      'deliveries per second (steady)',
      `${fmtNum(r.throughput.deliveriesPerSec, 0)} (expected ${fmtNum(r.throughput.expectedDeliveriesPerSec, 0)})`,
    ],
    ['actions sent / acknowledged', `${fmtNum(r.counts.sent)} / ${fmtNum(r.counts.acked)}`],
    [
      'deliveries lost (expected − delivered)',
      `${fmtNum(r.counts.lost)} of ${fmtNum(r.counts.expectedDeliveries)}`,
    ],
    [
      'errors',
      `join failures ${r.counts.joinFailures}, disconnects ${r.counts.disconnects}, refused actions ${errors || '0'}`,
    ],
    ['servers: CPU (steady, sum)', fmtPct(r.totals.cpuPercent)],
    ['servers: heap per connected player', fmtBytes(r.totals.heapPerConnectionBytes)],
    ['servers: RSS per connected player', fmtBytes(r.totals.rssPerConnectionBytes)],
    ['load generator: CPU (steady, sum of workers)', fmtPct(r.generator.cpuPercent)],
  ];
  const serverRows = r.servers.map((s) => [
    s.id,
    String(s.pid),
    fmtNum(s.connections),
    `${fmtPct(s.cpuPercent)} (peak ${fmtPct(s.cpuPercentPeak)})`,
    fmtBytes(s.heapUsedBytes),
    fmtBytes(s.rssBytes),
    fmtBytes(s.heapPerConnectionBytes),
    fmtBytes(s.rssPerConnectionBytes),
    `${fmtMs(s.eventLoopLagP99MeanMs)} / ${fmtMs(s.eventLoopLagP99MaxMs)}`,
  ]);
  const otherRows = [
    ...r.others.map((o) => [o.id, fmtPct(o.cpuPercent), fmtBytes(o.rssBytes)]),
    ...r.generator.workers.map((w, i) => [
      `load worker ${i + 1} (pid ${w.pid})`,
      `${fmtPct(w.cpuPercent)} (peak ${fmtPct(w.cpuPercentPeak)})`,
      fmtBytes(w.rssBytes),
    ]),
  ];
  const charts = [
    chart('Broadcast delivery latency per second', 'ms', tl, [
      { name: 'p50', color: '#2b7bb9', values: tl.map((p) => p.deliveryP50Ms) },
      { name: 'p99', color: '#d9534f', values: tl.map((p) => p.deliveryP99Ms) },
      { name: 'ack p99', color: '#999', values: tl.map((p) => p.ackP99Ms) },
    ]),
    chart('Throughput', 'per second', tl, [
      { name: 'deliveries/s', color: '#5cb85c', values: tl.map((p) => p.deliveriesPerSec) },
      { name: 'actions/s', color: '#f0ad4e', values: tl.map((p) => p.actionsPerSec) },
    ]),
    chart('Players connected', 'players', tl, [
      { name: 'connected', color: '#2b7bb9', values: tl.map((p) => p.connected) },
      { name: 'errors (total)', color: '#d9534f', values: tl.map((p) => p.errors) },
    ]),
    chart('CPU', '% of one core', tl, [
      { name: 'game servers', color: '#d9534f', values: tl.map((p) => p.serverCpuPercent) },
      { name: 'load generator', color: '#999', values: tl.map((p) => p.generatorCpuPercent) },
    ]),
    chart('Event-loop lag p99 (worst server)', 'ms', tl, [
      { name: 'lag p99', color: '#8e44ad', values: tl.map((p) => p.eventLoopLagP99Ms) },
    ]),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GameBuddies load test: ${esc(String(r.players))} players</title>
<style>
body{font-family:sans-serif;max-width:920px;margin:24px auto;padding:0 12px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f4f4f4}
code{background:#f4f4f4;padding:1px 4px}
.note{color:#666;font-size:13px}
</style></head><body>
<h1>Load test: ${esc(String(r.players))} players, ${esc(String(r.servers.length))} game server(s)</h1>
<p><code>${esc(r.command)}</code></p>
<p class="note">${esc(r.startedAt)} → ${esc(r.finishedAt)} · Node ${esc(r.machine.node)} · ${r.machine.cpus} × ${esc(r.machine.cpuModel)} · ${fmtBytes(r.machine.memoryBytes)} · load average at start ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}.
The load generator runs on the same machine as the servers; the green band is the steady phase.</p>
<h2>Summary</h2>
${htmlTable(['', ''], summary)}
<h2>Latency</h2>
${htmlTable(['', 'count', 'p50', 'p95', 'p99', 'max'], latencyRows)}
${charts.join('\n')}
<h2>Servers</h2>
${htmlTable(['server', 'pid', 'connections', 'CPU (steady)', 'heap', 'RSS', 'heap / player', 'RSS / player', 'event-loop lag p99 mean / max'], serverRows)}
<h2>Other processes</h2>
${htmlTable(['process', 'CPU (steady)', 'RSS'], otherRows)}
${r.firstErrors.length ? `<h2>First errors</h2><pre>${esc(r.firstErrors.join('\n'))}</pre>` : ''}
<h2>Options</h2>
<pre>${esc(JSON.stringify(r.options, null, 2))}</pre>
</body></html>
`;
}
