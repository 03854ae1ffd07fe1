import type { Logger } from '@gamebuddies/rooms';
import type { AgonesRooms } from './agonesRooms.js';
import { ROOMS_LIST } from './agonesRooms.js';
import type { AgonesGameServer, AgonesSdk } from './agonesSdk.js';
import type { LoadReporter } from './loadReporter.js';

/**
 * The label the operator's allocation selectors look at: `"false"` (set by the Fleet's
 * allocationOverflow on old servers during a rollout, or by hand to drain a server) means no new
 * rooms land here. A label, not an annotation: allocation selectors match labels only.
 */
export const ACCEPTING_LABEL = 'gamebuddies.io/accepting';

/** A server no new rooms are sent to: it leaves once its rooms end, or when its drain times out. */
export function isDrained(gs: AgonesGameServer): boolean {
  return gs.labels[ACCEPTING_LABEL] === 'false';
}

/** The public URL of a GameServer: its node address and first port. */
export function gameServerUrl(gs: AgonesGameServer): string | undefined {
  const port = gs.ports[0]?.port;
  return gs.address && port ? `http://${gs.address}:${port}` : undefined;
}

/**
 * The game server's side of Agones: Ready once listening, health pings, the rooms List followed, an
 * Allocated server with no rooms left back to Ready (or shut down when draining), Shutdown on exit.
 */
export class AgonesLifecycle {
  private healthTimer?: NodeJS.Timeout;
  private drainTimer?: NodeJS.Timeout;
  private stopped = false;
  private leaving = false;

  constructor(
    private readonly sdk: AgonesSdk,
    private readonly rooms: AgonesRooms,
    private readonly load: LoadReporter,
    private readonly options: {
      maxRooms: number;
      healthIntervalMs: number;
      /**
       * How long a drained server waits for its rooms to end before it shuts down anyway: its rooms
       * are in Redis and the operator moves them (players reconnect), so none ends. This bounds how
       * long an old server outlives a rollout.
       */
      drainTimeoutMs: number;
      /** Starts the graceful shutdown (SIGTERM to this process by default, as Kubernetes would). */
      leave?: () => void;
    },
    private readonly log: Logger,
  ) {}

  /** After the server listens: capacity, Ready, health, watch. */
  async start(initial: AgonesGameServer): Promise<void> {
    // A Fleet that declares the List's capacity owns it. Agones' sidecar applies a List change to its
    // cached copy of the GameServer and patches the difference (sdkserver.updateList), so a capacity
    // write here can race the allocations adding room codes. Only an undeclared List is sized here.
    const declared = initial.lists[ROOMS_LIST]?.capacity ?? 0;
    if (declared === 0) await this.sdk.setListCapacity(ROOMS_LIST, this.options.maxRooms);
    else if (declared !== this.options.maxRooms)
      this.log.warn(
        { listCapacity: declared, maxRooms: this.options.maxRooms },
        'Agones: the rooms List capacity differs from MAX_ROOMS; Agones allocates by the List',
      );
    await this.sdk.ready();
    this.log.info({ gameServer: initial.name, capacity: this.options.maxRooms }, 'Agones: Ready');
    this.healthTimer = setInterval(this.ping, this.options.healthIntervalMs);
    this.healthTimer.unref();
    this.ping();
    this.watch();
    await this.rooms.sync(initial);
    this.observe(initial);
    this.load.start();
  }

  /** The GameServer watch; one that ends is reopened (with a pause), or rooms would stop arriving. */
  private watch(retryMs = 1000): void {
    this.sdk.watchGameServer(
      (gs) => void this.rooms.sync(gs).then(() => this.observe(gs)),
      (error) => {
        if (this.stopped) return;
        this.log.error({ err: error, retryInMs: retryMs }, 'Agones GameServer watch ended; reopening');
        setTimeout(() => {
          if (this.stopped) return;
          this.watch(Math.min(30_000, retryMs * 2));
          // Whatever changed while the watch was down.
          this.sdk.getGameServer().then(
            (gs) => this.rooms.sync(gs).then(() => this.observe(gs)),
            (err: unknown) => this.log.warn({ err }, 'Agones: could not read the GameServer'),
          );
        }, retryMs).unref();
      },
    );
  }

  /**
   * Follows the accepting label: drained, the server leaves at once when it holds no room, else
   * when its last room ends or the drain timeout passes; accepting again, the timeout is dropped.
   */
  private observe(gs: AgonesGameServer): void {
    if (this.stopped || this.leaving) return;
    if (!isDrained(gs)) {
      if (this.drainTimer) {
        clearTimeout(this.drainTimer);
        this.drainTimer = undefined;
        this.log.info('Agones: accepting rooms again; drain cancelled');
      }
      return;
    }
    // Empty by both counts: the List (what allocations wrote) and the rooms opened here.
    const empty = this.rooms.count === 0 && (gs.lists[ROOMS_LIST]?.values.length ?? 0) === 0;
    if (empty && (gs.state === 'Ready' || gs.state === 'Allocated')) {
      this.leave('Agones: drained and holding no room; shutting down');
      return;
    }
    if (this.drainTimer) return;
    this.log.info(
      { rooms: this.rooms.count, drainTimeoutMs: this.options.drainTimeoutMs },
      'Agones: drained; no new rooms, leaving when the last room ends',
    );
    this.drainTimer = setTimeout(
      () => this.leave('Agones: drain timed out; shutting down, the operator moves the rooms left'),
      this.options.drainTimeoutMs,
    );
    this.drainTimer.unref();
  }

  private leave(message: string): void {
    if (this.leaving || this.stopped) return;
    this.leaving = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.log.info(message);
    (this.options.leave ?? (() => process.kill(process.pid, 'SIGTERM')))();
  }

  private readonly ping = (): void =>
    this.sdk.health((error) => this.log.warn({ err: error }, 'Agones health ping failed'));

  /** A room ended: with none left, an Allocated server returns to the pool (or leaves a draining fleet). */
  readonly roomEnded = (): void => {
    if (this.stopped || this.rooms.count > 0) return;
    // The watch may not have delivered the allocation (state, accepting label) yet: ask the sidecar.
    this.sdk.getGameServer().then(
      (gs) => this.returnToPool(gs),
      (error: unknown) => this.log.warn({ err: error }, 'Agones: could not read the GameServer'),
    );
  };

  private returnToPool(gs: AgonesGameServer): void {
    if (this.stopped || this.rooms.count > 0 || gs.state !== 'Allocated') return;
    // The GameServer's own rooms List decides, not the local count: a room allocated here a moment
    // ago may not have reached this server through the watch yet, and Ready() would strand it.
    // Codes of rooms that ended here (the operator is taking them off the List) do not count.
    if (this.rooms.holdsOthers(gs.lists[ROOMS_LIST]?.values ?? [])) {
      void this.rooms.sync(gs);
      return;
    }
    if (isDrained(gs)) {
      this.leave('Agones: last room ended on a drained server; shutting down');
      return;
    }
    this.sdk.ready().then(
      () => this.log.info('Agones: no rooms left; Ready again'),
      (error: unknown) => this.log.warn({ err: error }, 'Agones: could not return to Ready'),
    );
  }

  /** Last step of a shutdown: tell Agones, which deletes this GameServer (the operator moves its rooms). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.load.stop();
    try {
      await this.sdk.shutdown();
      this.log.info('Agones: Shutdown');
    } catch (error) {
      this.log.warn({ err: error }, 'Agones: Shutdown failed');
    } finally {
      this.sdk.close();
    }
  }
}
