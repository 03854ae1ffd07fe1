import type { SparseBuckets } from './histogram.js';

/** Which server the simulated players talk to. */
export type TargetKind = 'gamebuddies' | 'socketio' | 'ws';

export interface PlayerSpec {
  /** Index over all players of the run (names and ramp order). */
  index: number;
  roomCode: string;
  /** gamebuddies: where `GET /r/:code` is asked (the join link's base); socketio/ws: the server URL. */
  url: string;
  token?: string | undefined;
  /**
   * gamebuddies: the room's server, when the player already knows it (a page that arrived through
   * the join link's redirect): the client connects there first, without asking `url`.
   */
  server?: string | undefined;
  /** Milliseconds after `startAt` at which this player connects. */
  joinAfterMs: number;
}

export interface StartMessage {
  type: 'start';
  target: TargetKind;
  game: string;
  players: PlayerSpec[];
  /** Epoch ms: the ramp starts. */
  startAt: number;
  /** Epoch ms: players start chatting (the ramp is over). */
  actionsFrom: number;
  /** Epoch ms: players stop chatting. */
  actionsUntil: number;
  /** Chat messages per player per second; 0 = idle connections. */
  rate: number;
  /** Extra characters in every chat message (payload size). */
  padding: number;
}

export type ToWorker = StartMessage | { type: 'report' } | { type: 'close' };

export interface HistogramJson {
  buckets: SparseBuckets;
  count: number;
  sum: number;
  max: number;
}

/** Sent every second: counters are totals so far, histograms cover the interval since the last tick. */
export interface Tick {
  type: 'tick';
  final: boolean;
  at: number;
  connected: number;
  joined: number;
  joinFailures: number;
  sent: number;
  acked: number;
  ackErrors: Record<string, number>;
  deliveries: number;
  expectedDeliveries: number;
  disconnects: number;
  join: HistogramJson;
  ack: HistogramJson;
  delivery: HistogramJson;
  firstErrors: string[];
}

export type FromWorker = Tick | { type: 'ready' } | { type: 'closed' };
