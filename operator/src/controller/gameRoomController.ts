import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { GameRoom } from '../crd/gameRoom.generated.js';
import { roomsOf, type GameServer } from '../kube/agonesTypes.js';
import { isConflict } from '../kube/clients.js';
import type { GameRoomReconciler } from '../reconcile/gameRoomReconciler.js';
import { isNotLeader, type LeaderFence } from './leaderFence.js';
import type { ResilientInformer } from './resilientInformer.js';
import { WorkQueue, workQueueMetrics } from './workQueue.js';

const CONTROLLER = 'gameroom';

export interface ControllerMetrics {
  reconciles: Counter;
  errors: Counter;
  duration: Histogram;
}

/**
 * Feeds GameRoom keys to the reconciler: GameRoom changes enqueue the room, GameServer changes
 * enqueue every room on that server (failover, finished rooms). Workers run only while leading.
 */
export class GameRoomController {
  readonly queue: WorkQueue;
  private readonly metrics: ControllerMetrics;
  private running = false;
  /** Bumped by each start(): a worker of an earlier term sees it and ends (never beside new ones). */
  private generation = 0;
  private workers: Array<Promise<void>> = [];

  constructor(
    private readonly rooms: ResilientInformer<GameRoom>,
    private readonly gameServers: ResilientInformer<GameServer>,
    private readonly reconciler: GameRoomReconciler,
    private readonly fence: LeaderFence,
    private readonly options: { workers: number; roomsList: string },
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue(CONTROLLER, workQueueMetrics(registry));
    this.metrics = {
      reconciles: new Counter({
        name: 'controller_runtime_reconcile_total',
        help: 'Total number of reconciliations per controller',
        labelNames: ['controller', 'result'],
        registers: [registry],
      }),
      errors: new Counter({
        name: 'controller_runtime_reconcile_errors_total',
        help: 'Total number of reconciliation errors per controller',
        labelNames: ['controller'],
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'controller_runtime_reconcile_time_seconds',
        help: 'Length of time per reconciliation per controller',
        labelNames: ['controller'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };
    new Gauge({
      name: 'gamebuddies_gamerooms',
      help: 'GameRooms by phase',
      labelNames: ['phase'],
      registers: [registry],
      collect() {
        const counts: Record<string, number> = {
          Pending: 0,
          Allocating: 0,
          Ready: 0,
          Finished: 0,
          Failed: 0,
        };
        for (const room of rooms.list()) {
          const phase = room.status?.phase ?? 'Pending';
          counts[phase] = (counts[phase] ?? 0) + 1;
        }
        for (const [phase, count] of Object.entries(counts)) this.set({ phase }, count);
      },
    });

    rooms.on((_event, room) => this.queue.add(keyOf(room)));
    gameServers.on((_event, gs) => {
      const name = gs.metadata?.name;
      const codes = new Set(roomsOf(gs, options.roomsList));
      for (const room of rooms.list(gs.metadata?.namespace)) {
        if (room.status?.gameServer?.name === name || (room.spec.roomCode && codes.has(room.spec.roomCode))) {
          this.queue.add(keyOf(room));
        }
      }
    });
  }

  /** Starts the workers (this replica became leader): every room is looked at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    this.queue.reopen();
    for (const room of this.rooms.list()) this.queue.add(keyOf(room));
    this.workers = Array.from({ length: this.options.workers }, () => this.work(generation));
  }

  /**
   * Stops taking work (leadership lost, or shutdown) and waits for reconciles under way; those of a
   * lost term cannot write any more (the fence), so they end at their next write.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.queue.shutdown();
    await Promise.all(this.workers);
  }

  private current(generation: number): boolean {
    return this.running && this.generation === generation;
  }

  private async work(generation: number): Promise<void> {
    while (this.current(generation)) {
      const key = await this.queue.get();
      if (key === undefined) return;
      if (!this.current(generation)) {
        // Handed out by the queue of a newer term: give it back to that term's workers.
        this.queue.done(key);
        this.queue.add(key);
        return;
      }
      const [namespace, name] = key.split('/') as [string, string];
      const end = this.metrics.duration.startTimer({ controller: CONTROLLER });
      try {
        const result = await this.fence.run(() => this.reconciler.reconcile(namespace, name));
        this.queue.forget(key);
        if (result.requeueAfterMs !== undefined) {
          this.queue.addAfter(key, result.requeueAfterMs);
          this.metrics.reconciles.inc({ controller: CONTROLLER, result: 'requeue_after' });
        } else {
          this.metrics.reconciles.inc({ controller: CONTROLLER, result: 'success' });
        }
      } catch (error) {
        if (isNotLeader(error)) {
          // The term ended mid-reconcile: the next leader looks at this room again from scratch.
          this.metrics.reconciles.inc({ controller: CONTROLLER, result: 'not_leader' });
          continue;
        }
        if (isConflict(error)) {
          // The cache was behind the API server: look again once it has caught up, not as a failure.
          this.queue.addAfter(key, 100);
          this.metrics.reconciles.inc({ controller: CONTROLLER, result: 'requeue' });
          continue; // `finally` still ends the timer and marks the key done
        }
        this.metrics.errors.inc({ controller: CONTROLLER });
        this.metrics.reconciles.inc({ controller: CONTROLLER, result: 'error' });
        this.log.warn(
          { err: error, gameroom: key, retries: this.queue.retries(key) },
          'reconcile failed; will retry',
        );
        if (this.current(generation)) this.queue.addRateLimited(key);
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }
}

function keyOf(room: GameRoom): string {
  return `${room.metadata!.namespace}/${room.metadata!.name}`;
}
