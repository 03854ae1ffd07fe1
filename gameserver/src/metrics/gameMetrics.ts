import { totalmem } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// Room creation and joins are alerted on at 5 s (the seed's threshold): buckets must reach past it.
const SLOW_BUCKETS = [...LATENCY_BUCKETS, 10, 30];

/** The memory this process may use: its cgroup limit in a container, else the machine's memory. */
export function memoryLimitBytes(): number {
  const machine = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < machine ? constrained : machine;
}

/**
 * The seed's game-level metrics, plus Node's default process metrics (CPU, memory, event-loop lag).
 * One registry per server instance so tests can run several servers in one process.
 */
export class GameMetrics {
  readonly registry = new Registry();

  readonly connectedSockets = new Gauge({
    name: 'gamebuddies_connected_sockets',
    help: 'Socket.IO connections open on this server',
    labelNames: ['game_type'],
    registers: [this.registry],
  });
  readonly rooms: Gauge;
  readonly playersPerRoom = new Histogram({
    name: 'gamebuddies_room_players',
    help: 'Seated players per room, observed at every room change',
    buckets: [1, 2, 4, 6, 8, 12, 16, 24, 32, 50, 100],
    registers: [this.registry],
  });
  readonly stateUpdates = new Counter({
    name: 'gamebuddies_game_state_updates_total',
    help: 'Saved room changes (rate() gives game state updates per second)',
    labelNames: ['game_type'],
    registers: [this.registry],
  });
  readonly broadcastLatency = new Histogram({
    name: 'gamebuddies_broadcast_latency_seconds',
    help: 'From receiving a client action to its result being broadcast (store write included)',
    labelNames: ['event'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly consoleActions = new Counter({
    name: 'gamebuddies_console_actions_total',
    help: "Actions done from the operator's console, by action",
    labelNames: ['action'],
    registers: [this.registry],
  });
  readonly consoleStreams = new Gauge({
    name: 'gamebuddies_console_streams',
    help: "Live operator's consoles open on this server",
    registers: [this.registry],
  });
  readonly roomCreation = new Histogram({
    name: 'gamebuddies_room_creation_seconds',
    help: 'Time to create a room (code reservation and store write)',
    buckets: SLOW_BUCKETS,
    registers: [this.registry],
  });
  readonly playerJoin = new Histogram({
    name: 'gamebuddies_player_join_seconds',
    help: 'Time to admit a player into a room',
    buckets: SLOW_BUCKETS,
    registers: [this.registry],
  });
  readonly joins = new Counter({
    name: 'gamebuddies_joins_total',
    help: 'Join attempts by result (ok or the error code); failures / total is the join failure rate',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly gamesCompleted = new Counter({
    name: 'gamebuddies_games_completed_total',
    help: 'Games played to the end',
    labelNames: ['game_type'],
    registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: 'gamebuddies_store_operation_seconds',
    help: 'Duration of room store operations (Redis round trips when REDIS_URL is set)',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly storeUp = new Gauge({
    name: 'gamebuddies_store_up',
    help: '1 when the room store is reachable',
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'gamebuddies_webhooks_total',
    help: 'Webhook events by outcome (delivered, failed after retries, dropped from a full queue)',
    labelNames: ['outcome', 'type'],
    registers: [this.registry],
  });
  readonly memoryLimit = new Gauge({
    name: 'gamebuddies_memory_limit_bytes',
    help: "Memory this process may use (its container's limit, else the machine's): RSS / this is memory usage",
    registers: [this.registry],
    collect() {
      this.set(memoryLimitBytes());
    },
  });
  readonly rejectedEvents = new Counter({
    name: 'gamebuddies_rejected_events_total',
    help: 'Client events refused, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });

  constructor(countRooms: () => Promise<number>, labels: Record<string, string> = {}) {
    this.rooms = new Gauge({
      name: 'gamebuddies_rooms',
      help: 'Live rooms held by this server',
      registers: [this.registry],
      async collect() {
        this.set(await countRooms());
      },
    });
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }
}
