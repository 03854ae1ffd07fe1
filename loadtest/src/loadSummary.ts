import type { LoadPlan, ServerReport } from './loadResult.js';
import type { WorkerHandle } from './loadWorkers.js';
import { cpuPercentBetween, median, type WorkerSample } from './sampling.js';
import type { ServerSample, ServerTarget } from './servers.js';

/** What the run kept of each server: before, during steady load, and after a GC. */
export interface ServerHistory {
  baseline: Map<ServerTarget, ServerSample>;
  /** One sample a second during steady load. */
  loaded: Map<ServerTarget, ServerSample[]>;
  steadyFirst: Map<ServerTarget, ServerSample> | undefined;
  steadyLast: Map<ServerTarget, ServerSample> | undefined;
  afterGc: Map<ServerTarget, ServerSample> | undefined;
}

/** CPU, memory per connection and event-loop lag of each server under steady load. */
export function serverReports(plan: LoadPlan, history: ServerHistory): ServerReport[] {
  return plan.servers.map((s) => {
    const loaded = history.loaded.get(s) ?? [];
    // The last five seconds of steady load: memory has had time to settle.
    const recent = loaded.slice(-5);
    const gced = history.afterGc?.get(s);
    const heap = gced?.heapUsedBytes ?? median(recent.map((x) => x.heapUsedBytes ?? NaN));
    const rss = gced?.rssBytes ?? median(recent.map((x) => x.rssBytes ?? NaN));
    const connections = median(recent.map((x) => x.connections ?? NaN));
    const base = history.baseline.get(s)!;
    const perSecond = loaded
      .map((x, i) => cpuPercentBetween(loaded[i - 1], x))
      .filter((v): v is number => v !== null);
    const lags = loaded.map((x) => x.lagP99Seconds).filter((v): v is number => v !== null);
    const per = (value: number | null, baseValue: number | null) =>
      value !== null && baseValue !== null && connections ? (value - baseValue) / connections : null;
    return {
      id: s.id,
      pid: s.pid,
      cpuPercent: cpuPercentBetween(history.steadyFirst?.get(s), history.steadyLast?.get(s)),
      cpuPercentPeak: perSecond.length ? Math.max(...perSecond) : null,
      connections,
      heapUsedBytes: heap,
      rssBytes: rss,
      baselineHeapUsedBytes: base.heapUsedBytes,
      baselineRssBytes: base.rssBytes,
      heapPerConnectionBytes: per(heap, base.heapUsedBytes),
      rssPerConnectionBytes: per(rss, base.rssBytes),
      eventLoopLagP99MaxMs: lags.length ? Math.max(...lags) * 1000 : null,
      eventLoopLagP99MeanMs: lags.length ? (lags.reduce((a, b) => a + b, 0) / lags.length) * 1000 : null,
    };
  });
}

/** Totals over every server; memory per connection from the summed deltas. */
export function serverTotals(servers: ServerReport[]) {
  const connections = servers.reduce((n, s) => n + (s.connections ?? 0), 0);
  const sumOf = (f: (s: ServerReport) => number | null) => {
    const values = servers.map(f);
    return values.every((v) => v !== null) ? values.reduce((a, b) => a! + b!, 0)! : null;
  };
  const heapDelta = sumOf((s) =>
    s.heapUsedBytes !== null && s.baselineHeapUsedBytes !== null
      ? s.heapUsedBytes - s.baselineHeapUsedBytes
      : null,
  );
  const rssDelta = sumOf((s) =>
    s.rssBytes !== null && s.baselineRssBytes !== null ? s.rssBytes - s.baselineRssBytes : null,
  );
  return {
    connections,
    cpuPercent: sumOf((s) => s.cpuPercent),
    heapPerConnectionBytes: heapDelta !== null && connections ? heapDelta / connections : null,
    rssPerConnectionBytes: rssDelta !== null && connections ? rssDelta / connections : null,
  };
}

/** The load generator's own cost, so a saturated generator is not mistaken for a slow server. */
export function generatorReport(
  workers: WorkerHandle[],
  samples: WorkerSample[][],
  steady: { from: number; until: number },
) {
  const perWorker = workers.map((w, i) => {
    const list = (samples[i] ?? []).filter((x) => x.at >= steady.from && x.at <= steady.until + 1000);
    const perSecond = list
      .map((x, j) => cpuPercentBetween(list[j - 1], x))
      .filter((v): v is number => v !== null);
    return {
      pid: w.child.pid ?? 0,
      cpuPercent: cpuPercentBetween(list[0], list.at(-1)),
      cpuPercentPeak: perSecond.length ? Math.max(...perSecond) : null,
      rssBytes: list.at(-1)?.rssBytes ?? null,
    };
  });
  return {
    workers: perWorker,
    cpuPercent: perWorker.every((g) => g.cpuPercent !== null)
      ? perWorker.reduce((n, g) => n + g.cpuPercent!, 0)
      : null,
  };
}

export function otherReports(others: ServerTarget[], loaded: Map<ServerTarget, ServerSample[]>) {
  return others.map((o) => {
    const samples = loaded.get(o) ?? [];
    return {
      id: o.id,
      cpuPercent: cpuPercentBetween(samples[0], samples.at(-1)),
      rssBytes: samples.at(-1)?.rssBytes ?? null,
    };
  });
}
