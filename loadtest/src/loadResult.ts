import type { LatencySummary } from './histogram.js';
import type { ServerTarget } from './servers.js';
import type { TargetKind } from './workerProtocol.js';

export interface PlannedRoom {
  code: string;
  /** Token for the room's first player (the host token), if any. */
  hostToken?: string | undefined;
  /** Where player `seat` of this room connects (see PlayerSpec.url). */
  urlFor(seat: number): string;
  /** The room's server, if players connect there without a lookup first (see PlayerSpec.server). */
  server?: string | undefined;
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
    /** Each acknowledged message times the players of its room connected when it was acknowledged. */
    expectedDeliveries: number;
    /** expectedDeliveries − deliveries once the senders stopped and in-flight messages landed. */
    lost: number;
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
