import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Histogram, type LatencySummary } from './histogram.js';
import { Child, procSample, sleep } from './processes.js';
import type { ServerSample, ServerTarget } from './servers.js';
import type { FromWorker, PlayerSpec, TargetKind, Tick, ToWorker } from './workerProtocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface PlannedRoom {
  code: string;
  /** Token for the room's first player (the host token), if any. */
  hostToken?: string | undefined;
  /** Where player `seat` of this room connects (see PlayerSpec.url). */
  urlFor(seat: number): string;
}

export interface LoadPlan {
  target: TargetKind;
  game: string;
  players: number;
  roomSize: number;
  rooms: PlannedRoom[];
  rate: number;
  durationSec: number;
  rampSec: number;
  workers: number;
  padding?: number;
  /** The servers under load (CPU, memory, lag are reported for each). */
  servers: ServerTarget[];
  /** Other processes of the run whose CPU is reported (the fleet's front, redis-server). */
  others?: ServerTarget[];
  /** Called after the baseline sample, before any player connects. */
  onBaseline?: () => Promise<void>;
  /** Called once the load is over and the servers' memory was read (after a GC when possible). */
  onLoaded?: () => Promise<void>;
  /** Called every second with the progress line. */
  onProgress?: (line: string) => void;
}

export interface TimelinePoint {
  /** Seconds since the ramp started. */
  t: number;
  phase: 'ramp' | 'steady' | 'drain';
  connected: number;
  actionsPerSec: number;
  deliveriesPerSec: number;
  deliveryP50Ms: number | null;
  deliveryP99Ms: number | null;
  ackP99Ms: number | null;
  errors: number;
  serverCpuPercent: number;
  serverRssBytes: number;
  eventLoopLagP99Ms: number | null;
  generatorCpuPercent: number;
}

export interface ServerReport {
  id: string;
  pid: number;
  /** Average CPU over the steady phase, percent of one core. */
  cpuPercent: number | null;
  /** Peak over one-second samples of the steady phase. */
  cpuPercentPeak: number | null;
  connections: number | null;
  heapUsedBytes: number | null;
  rssBytes: number | null;
  baselineHeapUsedBytes: number | null;
  baselineRssBytes: number | null;
  /** (loaded - baseline) / connections. */
  heapPerConnectionBytes: number | null;
  rssPerConnectionBytes: number | null;
  eventLoopLagP99MaxMs: number | null;
  eventLoopLagP99MeanMs: number | null;
}

export interface LoadResult {
  target: TargetKind;
  players: number;
  rooms: number;
  roomSize: number;
  rate: number;
  durationSec: number;
  rampSec: number;
  join: LatencySummary;
  ack: LatencySummary;
  delivery: LatencySummary;
  throughput: {
    actionsPerSec: number;
    deliveriesPerSec: number;
    /** players x rate x room size: what a server that keeps up delivers. */
    expectedDeliveriesPerSec: number;
  };
  counts: {
    joined: number;
    connectedAtEnd: number;
    joinFailures: number;
    sent: number;
    acked: number;
    ackErrors: Record<string, number>;
    deliveries: number;
    disconnects: number;
  };
  firstErrors: string[];
  servers: ServerReport[];
  totals: {
    connections: number;
    cpuPercent: number | null;
    heapPerConnectionBytes: number | null;
    rssPerConnectionBytes: number | null;
  };
  others: Array<{ id: string; cpuPercent: number | null; rssBytes: number | null }>;
  generator: {
    workers: Array<{
      pid: number;
      cpuPercent: number | null;
      cpuPercentPeak: number | null;
      rssBytes: number | null;
    }>;
    cpuPercent: number | null;
  };
  timeline: TimelinePoint[];
}

interface WorkerHandle {
  child: ChildProcess;
  last?: Tick;
  final?: Tick;
  closed: boolean;
}

const DRAIN_MS = 2000;

function median(values: number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
}

function cpuPercentBetween(a: ServerSample | undefined, b: ServerSample | undefined): number | null {
  if (!a || !b || a.cpuSeconds === null || b.cpuSeconds === null || b.at <= a.at) return null;
  return ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
}

/** Runs the simulated players of a plan against servers that are already up; returns the figures. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const others = plan.others ?? [];
  const workerCount = Math.max(1, Math.min(plan.workers, plan.rooms.length));
  const workers: WorkerHandle[] = [];
  const ticks: Tick[] = [];
  const samples = new Map<ServerTarget, ServerSample[]>();
  const workerSamples: Array<Array<{ at: number; cpuSeconds: number; rssBytes: number }>> = [];
  const sampleAll = async () => {
    await Promise.all(
      [...plan.servers, ...others].map(async (s) => {
        const sample = await s.sample();
        if (!samples.has(s)) samples.set(s, []);
        samples.get(s)!.push(sample);
      }),
    );
    workers.forEach((w, i) => {
      const proc = w.child.pid ? procSample(w.child.pid) : null;
      if (proc) (workerSamples[i] ??= []).push({ at: Date.now(), ...proc });
    });
  };

  const gcAll = () => Promise.all(plan.servers.map((s) => s.gc?.()));
  await gcAll();
  await sampleAll();
  const baseline = new Map(plan.servers.map((s) => [s, samples.get(s)!.at(-1)!]));
  await plan.onBaseline?.();
  /** Memory after a full GC once the load is over (servers started with the inspector). */
  let afterGc: Map<ServerTarget, ServerSample> | undefined;

  try {
    for (let i = 0; i < workerCount; i++) {
      const child = fork(WORKER, [], {
        execArgv: ['--max-old-space-size=8192'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'json',
      });
      new Child('load worker', child); // killed with everything else if this process exits
      const handle: WorkerHandle = { child, closed: false };
      child.on('message', (message: FromWorker) => {
        if (message.type === 'tick') {
          handle.last = message;
          if (message.final) handle.final = message;
          ticks.push(message);
        } else if (message.type === 'closed') handle.closed = true;
      });
      workers.push(handle);
    }
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.child.once('message', () => resolve());
            w.child.once('exit', (code) => reject(new Error(`a load worker exited with ${code}`)));
          }),
      ),
    );

    // Rooms go to workers in turn; a room's players are spread over the ramp in room order.
    const specs: PlayerSpec[][] = workers.map(() => []);
    let index = 0;
    plan.rooms.forEach((room, r) => {
      const size = Math.min(plan.roomSize, plan.players - r * plan.roomSize);
      for (let seat = 0; seat < size; seat++, index++) {
        specs[r % workerCount]!.push({
          index,
          roomCode: room.code,
          url: room.urlFor(seat),
          token: seat === 0 ? room.hostToken : undefined,
          joinAfterMs: (index / plan.players) * plan.rampSec * 1000,
        });
      }
    });
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

    const total = { join: new Histogram(), ack: new Histogram(), delivery: new Histogram() };
    const timeline: TimelinePoint[] = [];
    let previous = { at: startAt, sent: 0, deliveries: 0 };
    let steadyFirst: Map<ServerTarget, ServerSample> | undefined;
    let steadyLast: Map<ServerTarget, ServerSample> | undefined;
    const loadedSamples = new Map<ServerTarget, ServerSample[]>();
    const stopAt = actionsUntil + DRAIN_MS;
    await sleep(Math.max(0, startAt - Date.now()));

    for (;;) {
      await sleep(1000 - ((Date.now() - startAt) % 1000));
      await sampleAll();
      const at = Date.now();
      const phase: TimelinePoint['phase'] =
        at < actionsFrom ? 'ramp' : at <= actionsUntil ? 'steady' : 'drain';
      const interval = { delivery: new Histogram(), ack: new Histogram() };
      for (const tick of ticks.splice(0)) {
        total.join.add(tick.join);
        total.ack.add(tick.ack);
        total.delivery.add(tick.delivery);
        interval.delivery.add(tick.delivery);
        interval.ack.add(tick.ack);
      }
      const sum = (f: (t: Tick) => number) => workers.reduce((n, w) => n + (w.last ? f(w.last) : 0), 0);
      const sent = sum((t) => t.sent);
      const deliveries = sum((t) => t.deliveries);
      const connected = sum((t) => t.connected);
      const errors =
        sum((t) => t.joinFailures + t.disconnects) +
        sum((t) => Object.values(t.ackErrors).reduce((a, b) => a + b, 0));
      const seconds = (at - previous.at) / 1000;
      const latest = (s: ServerTarget) => samples.get(s)!.at(-1)!;
      const beforeLatest = (s: ServerTarget) => samples.get(s)!.at(-2);
      const serverCpu = plan.servers.reduce(
        (n, s) => n + (cpuPercentBetween(beforeLatest(s), latest(s)) ?? 0),
        0,
      );
      const lags = plan.servers.map((s) => latest(s).lagP99Seconds).filter((v): v is number => v !== null);
      const genCpu = workerSamples.reduce((n, list) => {
        const [a, b] = [list.at(-2), list.at(-1)];
        return a && b && b.at > a.at ? n + ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100 : n;
      }, 0);
      const point: TimelinePoint = {
        t: Math.round((at - startAt) / 100) / 10,
        phase,
        connected,
        actionsPerSec: (sent - previous.sent) / seconds,
        deliveriesPerSec: (deliveries - previous.deliveries) / seconds,
        deliveryP50Ms: interval.delivery.count ? interval.delivery.percentile(50) : null,
        deliveryP99Ms: interval.delivery.count ? interval.delivery.percentile(99) : null,
        ackP99Ms: interval.ack.count ? interval.ack.percentile(99) : null,
        errors,
        serverCpuPercent: serverCpu,
        serverRssBytes: plan.servers.reduce((n, s) => n + (latest(s).rssBytes ?? 0), 0),
        eventLoopLagP99Ms: lags.length ? Math.max(...lags) * 1000 : null,
        generatorCpuPercent: genCpu,
      };
      timeline.push(point);
      previous = { at, sent, deliveries };
      if (phase === 'steady') {
        steadyFirst ??= new Map(plan.servers.map((s) => [s, latest(s)]));
        for (const s of [...plan.servers, ...others]) {
          if (!loadedSamples.has(s)) loadedSamples.set(s, []);
          loadedSamples.get(s)!.push(latest(s));
        }
      }
      if (phase !== 'drain') steadyLast = new Map([...plan.servers, ...others].map((s) => [s, latest(s)]));
      const p99 = total.delivery.count ? `${total.delivery.percentile(99).toFixed(1)} ms` : 'n/a';
      plan.onProgress?.(
        `[${point.t.toFixed(0).padStart(4)} s ${phase.padEnd(6)}] players ${connected}/${plan.players} connected` +
          ` | ${Math.round(point.actionsPerSec)} actions/s | ${Math.round(point.deliveriesPerSec)} deliveries/s` +
          ` | p99 so far ${p99} | errors ${errors} | servers ${Math.round(serverCpu)}% CPU` +
          ` | generator ${Math.round(genCpu)}% CPU`,
      );
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a load worker died');
      if (phase === 'drain' && !afterGc && plan.servers.some((s) => s.gc)) {
        await gcAll();
        afterGc = new Map(await Promise.all(plan.servers.map(async (s) => [s, await s.sample()] as const)));
        await plan.onLoaded?.();
      }
      if (at >= stopAt) break;
    }

    // Final counters from every worker.
    for (const w of workers) send(w, { type: 'report' });
    const finalDeadline = Date.now() + 10_000;
    while (workers.some((w) => !w.final) && Date.now() < finalDeadline) await sleep(50);
    for (const tick of ticks.splice(0)) {
      total.join.add(tick.join);
      total.ack.add(tick.ack);
      total.delivery.add(tick.delivery);
    }
    const last = (w: WorkerHandle) => w.final ?? w.last;
    const sum = (f: (t: Tick) => number) => workers.reduce((n, w) => n + (last(w) ? f(last(w)!) : 0), 0);
    const ackErrors: Record<string, number> = {};
    for (const w of workers)
      for (const [code, n] of Object.entries(last(w)?.ackErrors ?? {}))
        ackErrors[code] = (ackErrors[code] ?? 0) + n;

    const steadySeconds = plan.durationSec;
    const servers: ServerReport[] = plan.servers.map((s) => {
      const loaded = loadedSamples.get(s) ?? [];
      // The last five seconds of steady load: memory has had time to settle.
      const recent = loaded.slice(-5);
      const gced = afterGc?.get(s);
      const heap = gced?.heapUsedBytes ?? median(recent.map((x) => x.heapUsedBytes ?? NaN));
      const rss = gced?.rssBytes ?? median(recent.map((x) => x.rssBytes ?? NaN));
      const connections = median(recent.map((x) => x.connections ?? NaN));
      const base = baseline.get(s)!;
      const perSecond = loaded
        .map((x, i) => cpuPercentBetween(loaded[i - 1], x))
        .filter((v): v is number => v !== null);
      const lags = loaded.map((x) => x.lagP99Seconds).filter((v): v is number => v !== null);
      const per = (value: number | null, baseValue: number | null) =>
        value !== null && baseValue !== null && connections ? (value - baseValue) / connections : null;
      return {
        id: s.id,
        pid: s.pid,
        cpuPercent: cpuPercentBetween(steadyFirst?.get(s), steadyLast?.get(s)),
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
    const totalConnections = servers.reduce((n, s) => n + (s.connections ?? 0), 0);
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
    const generator = workers.map((w, i) => {
      const list = (workerSamples[i] ?? []).filter((x) => x.at >= actionsFrom && x.at <= actionsUntil + 1000);
      const perSecond = list
        .map((x, j) => {
          const prev = list[j - 1];
          return prev ? ((x.cpuSeconds - prev.cpuSeconds) / ((x.at - prev.at) / 1000)) * 100 : null;
        })
        .filter((v): v is number => v !== null);
      const [a, b] = [list[0], list.at(-1)];
      return {
        pid: w.child.pid ?? 0,
        cpuPercent:
          a && b && b.at > a.at ? ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100 : null,
        cpuPercentPeak: perSecond.length ? Math.max(...perSecond) : null,
        rssBytes: b?.rssBytes ?? null,
      };
    });
    const firstErrors = workers.flatMap((w) => last(w)?.firstErrors ?? []).slice(0, 10);
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
        actionsPerSec: sum((t) => t.sent) / steadySeconds,
        deliveriesPerSec: sum((t) => t.deliveries) / steadySeconds,
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
        disconnects: sum((t) => t.disconnects),
      },
      firstErrors,
      servers,
      totals: {
        connections: totalConnections,
        cpuPercent: sumOf((s) => s.cpuPercent),
        heapPerConnectionBytes: heapDelta !== null && totalConnections ? heapDelta / totalConnections : null,
        rssPerConnectionBytes: rssDelta !== null && totalConnections ? rssDelta / totalConnections : null,
      },
      others: others.map((o) => {
        const loaded = loadedSamples.get(o) ?? [];
        return {
          id: o.id,
          cpuPercent: cpuPercentBetween(loaded[0], loaded.at(-1)),
          rssBytes: loaded.at(-1)?.rssBytes ?? null,
        };
      }),
      generator: {
        workers: generator,
        cpuPercent: generator.every((g) => g.cpuPercent !== null)
          ? generator.reduce((n, g) => n + g.cpuPercent!, 0)
          : null,
      },
      timeline,
    };
  } finally {
    await closeWorkers(workers);
  }
}

function send(worker: WorkerHandle, message: ToWorker): void {
  if (worker.child.connected) worker.child.send(message);
}

/** Asks the workers to close their players and exit; kills any that does not within 10 s. */
async function closeWorkers(workers: WorkerHandle[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      const exited = new Promise((resolve) => w.child.once('exit', resolve));
      send(w, { type: 'close' });
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
