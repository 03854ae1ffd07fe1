import { AppError } from '@gamebuddies/protocol';
import type { Logger, RoomUpdate, RoomOwnership, RoomService, RoomStore } from '@gamebuddies/rooms';
import type { AgonesGameServer, AgonesSdk } from './agonesSdk.js';

/** The GameServer List that holds the codes of the rooms assigned to this server. */
export const ROOMS_LIST = 'rooms';

/**
 * Under Agones a server runs exactly the rooms in its GameServer's `rooms` List: a code that
 * appears (the operator allocated the room here) is opened — its lease taken, the room moved here —
 * and a code that goes (the room moved or was deleted) is let go. A room that ends here leaves the
 * List so its slot returns to the fleet.
 */
export class AgonesRooms {
  private readonly assigned = new Set<string>();
  /** Codes that left this server (ended or let go), which the List may still show for a moment. */
  private readonly gone = new Set<string>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sdk: AgonesSdk,
    private readonly store: RoomStore,
    private readonly service: RoomService,
    private readonly ownership: RoomOwnership,
    /** Disconnects this server's sockets in a room that is now served elsewhere. */
    private readonly dropLocalSockets: (code: string) => void,
    /** Called when a room ended here and its slot was given back. */
    private readonly onRoomEnded: () => void,
    private readonly log: Logger,
  ) {}

  get count(): number {
    return this.assigned.size;
  }

  /**
   * Whether the List holds a code this server has not let go of: one still here, or one an
   * allocation just added that the watch has not delivered yet (the server must not go back to
   * Ready then). The sidecar batches List changes, so codes that just left may still be listed.
   */
  holdsOthers(values: string[]): boolean {
    return values.some((code) => !this.gone.has(code));
  }

  /** Follows the GameServer's List; calls are serialized so a slow open never races a later change. */
  sync(gs: AgonesGameServer): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.apply(gs))
      .catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not follow the rooms List');
      });
    return this.syncing;
  }

  /**
   * Admission of a join: a room assigned elsewhere answers ROOM_MOVED with where it is now. The
   * watch may lag the allocation that just added the code, so the sidecar is asked once first.
   */
  async admit(code: string): Promise<void> {
    // A code is marked assigned before its room is moved here; a join must wait for the move.
    await this.syncing;
    if (this.assigned.has(code)) return;
    await this.sync(await this.sdk.getGameServer());
    if (this.assigned.has(code)) return;
    const room = await this.store.loadRoom(code);
    if (!room) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    throw new AppError('ROOM_MOVED', `Room ${code} is served by another server`, { url: room.url });
  }

  /** The room expired (RoomOwnership noticed): its slot goes back, so the server can become Ready. */
  readonly roomExpired = (code: string): void => {
    if (!this.assigned.delete(code)) return;
    this.sdk.deleteListValue(ROOMS_LIST, code).then(
      () => this.onRoomEnded(),
      (error: unknown) => this.log.warn({ err: error, room: code }, 'could not free the room slot'),
    );
  };

  /** Follows this server's room changes: a room that ended gives its slot back. */
  readonly onUpdate = ({ room, events }: RoomUpdate): void => {
    if (!this.assigned.has(room.code)) return;
    if (events.some((e) => e.type === 'closed')) {
      this.assigned.delete(room.code);
      this.forget(room.code);
      this.sdk.deleteListValue(ROOMS_LIST, room.code).then(
        () => this.onRoomEnded(),
        (error: unknown) => this.log.warn({ err: error, room: room.code }, 'could not free the room slot'),
      );
      return;
    }
    // The last seat was released: the room is over here (its store record goes, then its slot).
    if (events.some((e) => e.type === 'left') && room.players.length === 0) {
      this.service.closeRoom(room.code, 'expired').catch((error: unknown) => {
        this.log.warn({ err: error, room: room.code }, 'could not close an empty room');
      });
    }
  };

  private forget(code: string): void {
    this.gone.add(code);
    // Bounded: only the last few matter (the sidecar writes List changes about once a second).
    if (this.gone.size > 1000) this.gone.delete(this.gone.values().next().value!);
  }

  private async apply(gs: AgonesGameServer): Promise<void> {
    const codes = new Set(gs.lists[ROOMS_LIST]?.values ?? []);
    for (const code of codes) this.gone.delete(code);
    for (const code of codes) if (!this.assigned.has(code)) await this.open(code);
    for (const code of [...this.assigned]) if (!codes.has(code)) await this.letGo(code);
  }

  private async open(code: string): Promise<void> {
    this.assigned.add(code);
    let room: Awaited<ReturnType<RoomOwnership['take']>>;
    try {
      room = await this.ownership.take(code);
    } catch (error) {
      // Not opened (the store was away): forget it, so a later look at the List opens it again.
      this.assigned.delete(code);
      this.retrySoon();
      throw error;
    }
    if (room) {
      this.log.info({ room: code }, 'room assigned here');
      return;
    }
    // Allocated here but not in the store: nothing to run; give the slot back rather than leak it.
    this.log.warn({ room: code }, 'a room was assigned here but does not exist; freeing its slot');
    this.assigned.delete(code);
    await this.sdk.deleteListValue(ROOMS_LIST, code);
  }

  private retryTimer?: NodeJS.Timeout;

  /** Reads the GameServer again shortly (the List may not change again to bring the code back). */
  private retrySoon(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.sdk.getGameServer().then(
        (gs) => this.sync(gs),
        (error: unknown) => this.log.warn({ err: error }, 'Agones: could not read the GameServer'),
      );
    }, 1000);
    this.retryTimer.unref();
  }

  private async letGo(code: string): Promise<void> {
    this.assigned.delete(code);
    this.forget(code);
    await this.ownership.release(code);
    // The room moved (its players follow ROOM_MOVED on rejoin) or was deleted (they were told).
    this.dropLocalSockets(code);
    this.log.info({ room: code }, 'room no longer assigned here');
    // Its slot is free: with no rooms left, the server goes back to the pool (or leaves a drain).
    this.onRoomEnded();
  }
}
