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
    this.sdk.watchGameServer(
      (gs) => void this.rooms.sync(gs),
      (error) => {
        if (!this.stopped) this.log.error({ err: error }, 'Agones GameServer watch ended');
      },
    );
    await this.rooms.sync(initial);
    this.load.start();
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
    if (this.rooms.holdsOthers(gs.lists[ROOMS_LIST]?.values ?? [])) return;
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
