import { Histogram } from './histogram.js';
import type { LoadPlan, LoadResult, TimelinePoint } from './loadResult.js';
import {
  generatorReport,
  otherReports,
  serverReports,
  serverTotals,
  type ServerHistory,
} from './loadSummary.js';
import {
  closeWorkers,
  collectFinalTicks,
  lastTick,
  playerSpecs,
  send,
  startWorkers,
  sumTicks,
  type WorkerHandle,
} from './loadWorkers.js';
import { sleep } from './processes.js';
import { cpuPercentBetween, Sampler } from './sampling.js';
import type { ServerSample, ServerTarget } from './servers.js';
import type { Tick } from './workerProtocol.js';

export type * from './loadResult.js';

/** After the steady phase, the least and the most time in-flight acks and deliveries get to land. */
const DRAIN_MIN_MS = 1000;
const DRAIN_MAX_MS = 10_000;

/** The latency histograms of the whole run. */
interface Totals {
  join: Histogram;
  ack: Histogram;
  delivery: Histogram;
}

/** Runs the simulated players of a plan against servers that are already up; returns the figures. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const others = plan.others ?? [];
  const everyProcess = [...plan.servers, ...others];
  const workers: WorkerHandle[] = [];
  const ticks: Tick[] = [];
  const sampler = new Sampler(everyProcess, workers);

  const gcAll = () => Promise.all(plan.servers.map((s) => s.gc?.()));
  await gcAll();
  await sampler.sampleAll();
  const history: ServerHistory = {
    baseline: new Map(plan.servers.map((s) => [s, sampler.latest(s)])),
    loaded: new Map(),
    steadyFirst: undefined,
    steadyLast: undefined,
    afterGc: undefined,
  };
  await plan.onBaseline?.();

  try {
    workers.push(...(await startWorkers(Math.max(1, Math.min(plan.workers, plan.rooms.length)), ticks)));
    const specs = playerSpecs(plan, workers.length);
    const startAt = Date.now() + 500;
    // A second after the ramp for the last joins to land, then steady load.
    const actionsFrom = startAt + plan.rampSec * 1000 + 1000;
    const actionsUntil = actionsFrom + plan.durationSec * 1000;
    workers.forEach((w, i) =>
      send(w, {
        type: 'start',
        target: plan.target,
        game: plan.game,
        players: specs[i]!,
        startAt,
        actionsFrom,
        actionsUntil,
        rate: plan.rate,
        padding: plan.padding ?? 0,
      }),
    );

    const total: Totals = { join: new Histogram(), ack: new Histogram(), delivery: new Histogram() };
    const timeline: TimelinePoint[] = [];
    let previous = { at: startAt, sent: 0, deliveries: 0 };
    await sleep(Math.max(0, startAt - Date.now()));

    for (;;) {
      await sleep(1000 - ((Date.now() - startAt) % 1000));
      await sampler.sampleAll();
      const at = Date.now();
      const phase: TimelinePoint['phase'] =
        at < actionsFrom ? 'ramp' : at <= actionsUntil ? 'steady' : 'drain';
      const point = observeSecond(plan, workers, sampler, drainTicks(ticks, total), {
        at,
        startAt,
        phase,
        previous,
      });
      timeline.push(point);
      previous = {
        at,
        sent: sumTicks(workers, (t) => t.sent, latestTick),
        deliveries: sumTicks(workers, (t) => t.deliveries, latestTick),
      };
      if (phase === 'steady') {
        history.steadyFirst ??= new Map(plan.servers.map((s) => [s, sampler.latest(s)]));
        for (const s of everyProcess) {
          if (!history.loaded.has(s)) history.loaded.set(s, []);
          history.loaded.get(s)!.push(sampler.latest(s));
        }
      }
      if (phase !== 'drain') history.steadyLast = new Map(everyProcess.map((s) => [s, sampler.latest(s)]));
      plan.onProgress?.(progressLine(point, plan.players, total));
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a load worker died');
      if (phase === 'drain' && !history.afterGc && plan.servers.some((s) => s.gc)) {
        // Memory after a full GC once the load is over (servers started with the inspector).
        await gcAll();
        history.afterGc = new Map(
          await Promise.all(plan.servers.map(async (s) => [s, await s.sample()] as const)),
        );
        await plan.onLoaded?.();
      }
      if (at >= actionsUntil + DRAIN_MAX_MS) break;
      if (at >= actionsUntil + DRAIN_MIN_MS && everythingLanded(workers)) break;
    }

    await collectFinalTicks(workers);
    drainTicks(ticks, total);
    return summarize(plan, workers, sampler, history, total, timeline, {
      from: actionsFrom,
      until: actionsUntil,
    });
  } finally {
    await closeWorkers(workers);
  }
}

const latestTick = (w: WorkerHandle) => w.last;

/** Every message sent was answered and every acknowledged one reached its room (as of the last ticks). */
function everythingLanded(workers: WorkerHandle[]): boolean {
  const sum = (f: (t: Tick) => number) => sumTicks(workers, f, latestTick);
  const answered = sum((t) => t.acked + Object.values(t.ackErrors).reduce((a, b) => a + b, 0));
  return answered >= sum((t) => t.sent) && sum((t) => t.deliveries) >= sum((t) => t.expectedDeliveries);
}

/** Moves the ticks received so far into the run's totals; returns this interval's histograms. */
function drainTicks(ticks: Tick[], total: Totals): { delivery: Histogram; ack: Histogram } {
  const interval = { delivery: new Histogram(), ack: new Histogram() };
  for (const tick of ticks.splice(0)) {
    total.join.add(tick.join);
    total.ack.add(tick.ack);
    total.delivery.add(tick.delivery);
    interval.delivery.add(tick.delivery);
    interval.ack.add(tick.ack);
  }
  return interval;
}

/** One second of the run, as the timeline and the progress line show it. */
function observeSecond(
  plan: LoadPlan,
  workers: WorkerHandle[],
  sampler: Sampler,
  interval: { delivery: Histogram; ack: Histogram },
  now: {
    at: number;
    startAt: number;
    phase: TimelinePoint['phase'];
    previous: { at: number; sent: number; deliveries: number };
  },
): TimelinePoint {
  const sum = (f: (t: Tick) => number) => sumTicks(workers, f, latestTick);
  const errors =
    sum((t) => t.joinFailures + t.disconnects) +
    sum((t) => Object.values(t.ackErrors).reduce((a, b) => a + b, 0));
  const seconds = (now.at - now.previous.at) / 1000;
  const latest = (s: ServerTarget): ServerSample => sampler.latest(s);
  const lags = plan.servers.map((s) => latest(s).lagP99Seconds).filter((v): v is number => v !== null);
  return {
    t: Math.round((now.at - now.startAt) / 100) / 10,
    phase: now.phase,
    connected: sum((t) => t.connected),
    actionsPerSec: (sum((t) => t.sent) - now.previous.sent) / seconds,
    deliveriesPerSec: (sum((t) => t.deliveries) - now.previous.deliveries) / seconds,
    deliveryP50Ms: interval.delivery.count ? interval.delivery.percentile(50) : null,
    deliveryP99Ms: interval.delivery.count ? interval.delivery.percentile(99) : null,
    ackP99Ms: interval.ack.count ? interval.ack.percentile(99) : null,
    errors,
    serverCpuPercent: plan.servers.reduce(
      (n, s) => n + (cpuPercentBetween(sampler.beforeLatest(s), latest(s)) ?? 0),
      0,
    ),
    serverRssBytes: plan.servers.reduce((n, s) => n + (latest(s).rssBytes ?? 0), 0),
    eventLoopLagP99Ms: lags.length ? Math.max(...lags) * 1000 : null,
    generatorCpuPercent: sampler.generatorCpuPercent(),
  };
}

function progressLine(point: TimelinePoint, players: number, total: Totals): string {
  const p99 = total.delivery.count ? `${total.delivery.percentile(99).toFixed(1)} ms` : 'n/a';
  return (
    `[${point.t.toFixed(0).padStart(4)} s ${point.phase.padEnd(6)}] players ${point.connected}/${players} connected` +
    ` | ${Math.round(point.actionsPerSec)} actions/s | ${Math.round(point.deliveriesPerSec)} deliveries/s` +
    ` | p99 so far ${p99} | errors ${point.errors} | servers ${Math.round(point.serverCpuPercent)}% CPU` +
    ` | generator ${Math.round(point.generatorCpuPercent)}% CPU`
  );
}

function summarize(
  plan: LoadPlan,
  workers: WorkerHandle[],
  sampler: Sampler,
  history: ServerHistory,
  total: Totals,
  timeline: TimelinePoint[],
  steady: { from: number; until: number },
): LoadResult {
  const sum = (f: (t: Tick) => number) => sumTicks(workers, f);
  const ackErrors: Record<string, number> = {};
  for (const w of workers)
    for (const [code, n] of Object.entries(lastTick(w)?.ackErrors ?? {}))
      ackErrors[code] = (ackErrors[code] ?? 0) + n;
  const servers = serverReports(plan, history);
  return {
    target: plan.target,
    players: plan.players,
    rooms: plan.rooms.length,
    roomSize: plan.roomSize,
    rate: plan.rate,
    durationSec: plan.durationSec,
    rampSec: plan.rampSec,
    join: total.join.summary(),
    ack: total.ack.summary(),
    delivery: total.delivery.summary(),
    throughput: {
      actionsPerSec: sum((t) => t.sent) / plan.durationSec,
      deliveriesPerSec: sum((t) => t.deliveries) / plan.durationSec,
      expectedDeliveriesPerSec: plan.players * plan.rate * plan.roomSize,
    },
    counts: {
      joined: sum((t) => t.joined),
      connectedAtEnd: sum((t) => t.connected),
      joinFailures: sum((t) => t.joinFailures),
      sent: sum((t) => t.sent),
      acked: sum((t) => t.acked),
      ackErrors,
      deliveries: sum((t) => t.deliveries),
      expectedDeliveries: sum((t) => t.expectedDeliveries),
      lost: Math.max(0, sum((t) => t.expectedDeliveries) - sum((t) => t.deliveries)),
      disconnects: sum((t) => t.disconnects),
    },
    firstErrors: workers.flatMap((w) => lastTick(w)?.firstErrors ?? []).slice(0, 10),
    servers,
    totals: serverTotals(servers),
    others: otherReports(plan.others ?? [], history.loaded),
    generator: generatorReport(workers, sampler.workers, steady),
    timeline,
  };
}
