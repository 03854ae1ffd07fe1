import type { Logger } from '@gamebuddies/rooms';
import type { AgonesRooms } from './agonesRooms.js';
import { ROOMS_LIST } from './agonesRooms.js';
import type { AgonesGameServer, AgonesSdk } from './agonesSdk.js';
import type { LoadReporter } from './loadReporter.js';

/** Set by the chart/operator when a fleet is drained: the server shuts down once its last room ends. */
export const DRAIN_ANNOTATION = 'gamebuddies.io/drain';

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
  private stopped = false;

  constructor(
    private readonly sdk: AgonesSdk,
    private readonly rooms: AgonesRooms,
    private readonly load: LoadReporter,
    private readonly options: { maxRooms: number; healthIntervalMs: number },
    private readonly log: Logger,
  ) {}

  /** After the server listens: capacity, Ready, health, watch. */
  async start(initial: AgonesGameServer): Promise<void> {
    await this.sdk.setListCapacity(ROOMS_LIST, this.options.maxRooms);
    await this.sdk.ready();
    this.log.info({ gameServer: initial.name, capacity: this.options.maxRooms }, 'Agones: Ready');
    this.healthTimer = setInterval(this.ping, this.options.healthIntervalMs);
    this.healthTimer.unref();
    this.ping();
    this.watch();
    await this.rooms.sync(initial);
    this.load.start();
  }

  /** The GameServer watch; one that ends is reopened (with a pause), or rooms would stop arriving. */
  private watch(retryMs = 1000): void {
    this.sdk.watchGameServer(
      (gs) => void this.rooms.sync(gs),
      (error) => {
        if (this.stopped) return;
        this.log.error({ err: error, retryInMs: retryMs }, 'Agones GameServer watch ended; reopening');
        setTimeout(() => {
          if (this.stopped) return;
          this.watch(Math.min(30_000, retryMs * 2));
          // Whatever changed while the watch was down.
          this.sdk.getGameServer().then(
            (gs) => this.rooms.sync(gs),
            (err: unknown) => this.log.warn({ err }, 'Agones: could not read the GameServer'),
          );
        }, retryMs).unref();
      },
    );
  }

  private readonly ping = (): void =>
    this.sdk.health((error) => this.log.warn({ err: error }, 'Agones health ping failed'));

  /** A room ended: with none left, an Allocated server returns to the pool (or leaves a draining fleet). */
  readonly roomEnded = (): void => {
    if (this.stopped || this.rooms.count > 0) return;
    // The watch may not have delivered the allocation (state, drain annotation) yet: ask the sidecar.
    this.sdk.getGameServer().then(
      (gs) => this.returnToPool(gs),
      (error: unknown) => this.log.warn({ err: error }, 'Agones: could not read the GameServer'),
    );
  };

  private returnToPool(gs: AgonesGameServer): void {
    if (this.stopped || this.rooms.count > 0 || gs.state !== 'Allocated') return;
    // The GameServer's own rooms List decides, not the local count: a room allocated here a moment
    // ago may not have reached this server through the watch yet, and Ready() would strand it.
    const listed = gs.lists[ROOMS_LIST]?.values ?? [];
    if (listed.length > 0) {
      void this.rooms.sync(gs);
      return;
    }
    if (gs.annotations[DRAIN_ANNOTATION] === 'true') {
      this.log.info('Agones: last room ended on a draining server; shutting down');
      process.kill(process.pid, 'SIGTERM');
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
