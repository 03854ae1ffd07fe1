import type { WorkerHandle } from './loadWorkers.js';
import { procSample } from './processes.js';
import type { ServerSample, ServerTarget } from './servers.js';

export interface WorkerSample {
  at: number;
  cpuSeconds: number;
  rssBytes: number;
}

export function median(values: number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
}

/** CPU use between two samples, in percent of one core. */
export function cpuPercentBetween(
  a: { at: number; cpuSeconds: number | null } | undefined,
  b: { at: number; cpuSeconds: number | null } | undefined,
): number | null {
  if (!a || !b || a.cpuSeconds === null || b.cpuSeconds === null || b.at <= a.at) return null;
  return ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
}

/** Samples of every process of a run (servers, others such as redis-server, load workers), in order. */
export class Sampler {
  readonly servers = new Map<ServerTarget, ServerSample[]>();
  readonly workers: WorkerSample[][] = [];

  constructor(
    private readonly targets: ServerTarget[],
    private readonly workerHandles: WorkerHandle[],
  ) {}

  async sampleAll(): Promise<void> {
    await Promise.all(
      this.targets.map(async (s) => {
        const sample = await s.sample();
        if (!this.servers.has(s)) this.servers.set(s, []);
        this.servers.get(s)!.push(sample);
      }),
    );
    this.workerHandles.forEach((w, i) => {
      const proc = w.child.pid ? procSample(w.child.pid) : null;
      if (proc) (this.workers[i] ??= []).push({ at: Date.now(), ...proc });
    });
  }

  latest(s: ServerTarget): ServerSample {
    return this.servers.get(s)!.at(-1)!;
  }

  beforeLatest(s: ServerTarget): ServerSample | undefined {
    return this.servers.get(s)!.at(-2);
  }

  /** The load workers' CPU over the last second, summed. */
  generatorCpuPercent(): number {
    return this.workers.reduce((n, list) => n + (cpuPercentBetween(list.at(-2), list.at(-1)) ?? 0), 0);
  }
}
