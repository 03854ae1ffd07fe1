import { AppError } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import { isNotOwner, type RoomStore } from '../store/roomStore.js';
import type { RoomRecord } from '../room/roomRecord.js';
import type { RoomUpdate } from '../room/roomEvents.js';
import type { RoomService } from '../service/roomService.js';
import type { RoomTimerScheduler } from './timerScheduler.js';

export interface LocalSeat {
  playerId: string;
  connectionId: string;
}

/** Ticks after a lapsed heartbeat during which held seats are restored (a late adoption may land). */
const RESTORE_TICKS = 3;

export interface OwnershipOptions {
  serverId: string;
  /** How long a lease (and a heartbeat) lasts without renewal: the failover delay after a crash. */
  leaseMs: number;
}

/**
 * Which server runs a room's timers: the holder of the room's lease in the store. A server claims
 * the rooms it creates and the rooms its players are in; it renews its leases and heartbeat every
 * third of the lease. When a server dies its leases expire and a server with players in the room
 * claims it, adopts it (the room's address becomes this server's) and frees the seats the dead
 * server's players held, so their reconnect window starts.
 *
 * Game logic itself needs no owner: every change is a compare-and-set on the room version, so it is
 * applied exactly once in one order whichever server receives the action. The owner's own writes
 * (timers, adoption) carry the lease's fencing token and are refused once the lease has passed on,
 * so a server paused while another took over cannot write as the room's runner when it resumes.
 *
 * Liveness is judged on the store's clock. A server whose heartbeat lapsed (a Redis blip, a long
 * pause) may have had its players' seats freed by others; when its heartbeat comes back it marks the
 * seats its sockets still hold as connected again, so nobody is removed from a game they never left.
 */
export class RoomOwnership {
  private readonly owned = new Set<string>();
  /** The fencing token of each owned room's lease. */
  private readonly tokens = new Map<string, string>();
  private readonly interest = new Map<string, number>();
  private readonly seats = new Map<string, Map<string, string>>();
  private restoreTicks = 0;
  private readonly expiredListeners: Array<(code: string) => void> = [];
  private liveServers = new Set<string>();
  private ticker?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly store: RoomStore,
    private readonly service: RoomService,
    private readonly scheduler: RoomTimerScheduler,
    private readonly options: OwnershipOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.store.heartbeat(this.options.serverId, this.options.leaseMs);
    this.liveServers = await this.store.liveServers();
    this.store.onTimersAnnounced((code) => {
      if (this.owned.has(code)) void this.reschedule(code);
    });
    // A restart under the same id takes back its rooms (their leases may still be ours).
    for (const code of await this.store.listRoomCodes(this.options.serverId)) await this.claim(code);
    this.ticker = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.options.leaseMs / 3)));
    this.ticker.unref();
  }

  get ownedRooms(): ReadonlySet<string> {
    return this.owned;
  }

  /** A room run here expired (TTL): whatever else holds it (an Agones List entry) lets it go. */
  onExpired(listener: (code: string) => void): void {
    this.expiredListeners.push(listener);
  }

  /** The lease token of a room run here (undefined when it is not). */
  tokenOf(code: string): string | undefined {
    return this.owned.has(code) ? this.tokens.get(code) : undefined;
  }

  /** A local socket joined the room: make sure someone runs it. */
  playerConnected(code: string, seat?: LocalSeat): void {
    this.interest.set(code, (this.interest.get(code) ?? 0) + 1);
    if (seat) {
      const held = this.seats.get(code) ?? new Map<string, string>();
      held.set(seat.playerId, seat.connectionId);
      this.seats.set(code, held);
    }
    if (!this.owned.has(code)) void this.claim(code);
  }

  playerDisconnected(code: string, seat?: LocalSeat): void {
    const count = (this.interest.get(code) ?? 1) - 1;
    if (count <= 0) this.interest.delete(code);
    else this.interest.set(code, count);
    const held = this.seats.get(code);
    if (seat && held?.get(seat.playerId) === seat.connectionId) {
      held.delete(seat.playerId);
      if (held.size === 0) this.seats.delete(code);
    }
  }

  /** Follows every change this server saved. */
  readonly onUpdate = ({ room, events, timersChanged }: RoomUpdate): void => {
    if (events.some((e) => e.type === 'closed')) {
      this.drop(room.code);
      return;
    }
    if (events.some((e) => e.type === 'created')) {
      void this.claim(room.code);
      return;
    }
    if (this.owned.has(room.code)) this.scheduler.schedule(room);
    else if (timersChanged) {
      this.store.announceTimers(room.code).catch((error: unknown) => {
        this.log.warn({ err: error, room: room.code }, 'could not announce timer change');
      });
    }
  };

  /** Takes the room's lease if it is free; then runs its timers here. */
  async claim(code: string): Promise<boolean> {
    if (this.stopped) return false;
    try {
      const token = await this.store.claimRoom(code, this.options.serverId, this.options.leaseMs);
      if (!token) return false;
      const firstClaim = !this.owned.has(code) || this.tokens.get(code) !== token;
      this.owned.add(code);
      this.tokens.set(code, token);
      if (firstClaim) {
        const room = await this.service.adopt(code, await this.store.liveServers(), { ownerToken: token });
        if (room) this.scheduler.schedule(room);
        else this.drop(code);
      }
      return true;
    } catch (error) {
      this.logFailure(error, code, 'could not claim a room');
      return false;
    }
  }

  /**
   * The room was assigned here from outside (its code appeared in this GameServer's rooms List):
   * take its lease whoever holds it, and move the room here. Null when the room does not exist.
   */
  async take(code: string): Promise<RoomRecord | null> {
    const token = await this.store.takeRoom(code, this.options.serverId, this.options.leaseMs);
    this.owned.add(code);
    this.tokens.set(code, token);
    const room = await this.service.adopt(code, await this.store.liveServers(), {
      move: true,
      ownerToken: token,
    });
    if (room) this.scheduler.schedule(room);
    else this.drop(code);
    return room;
  }

  /** The room was assigned elsewhere: stop running it here (another server takes its lease). */
  async release(code: string): Promise<void> {
    this.drop(code);
    await this.store.releaseRoom(code, this.options.serverId);
  }

  /** Clean shutdown: give up every lease at once so other servers take over without waiting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    const codes = [...this.owned];
    this.owned.clear();
    this.tokens.clear();
    await Promise.allSettled([
      ...codes.map((code) => this.store.releaseRoom(code, this.options.serverId)),
      this.store.retireServer(this.options.serverId),
    ]);
  }

  private drop(code: string): void {
    this.owned.delete(code);
    this.tokens.delete(code);
    this.scheduler.cancel(code);
  }

  private async reschedule(code: string): Promise<void> {
    try {
      const room = await this.store.loadRoom(code);
      if (room) this.scheduler.schedule(room);
      else this.drop(code);
    } catch (error) {
      this.logFailure(error, code, 'could not reload a room');
    }
  }

  private async tick(): Promise<void> {
    try {
      if (await this.store.heartbeat(this.options.serverId, this.options.leaseMs)) {
        this.log.warn("this server's heartbeat had lapsed; restoring the seats its sockets hold");
        this.restoreTicks = RESTORE_TICKS;
      }
      if (this.restoreTicks > 0) {
        this.restoreTicks--;
        await this.restoreSeats();
      }
      const { lost, expired } = await this.store.renewRooms(
        [...this.owned],
        this.options.serverId,
        this.options.leaseMs,
      );
      for (const code of lost) {
        this.log.info({ room: code }, 'lost the lease of a room');
        this.drop(code);
      }
      for (const code of expired) {
        // The store has already released its lease and indexes and told every server's players.
        this.log.info({ room: code }, 'room expired');
        this.drop(code);
        this.interest.delete(code);
        this.seats.delete(code);
        for (const listener of this.expiredListeners) listener(code);
      }
      for (const code of this.interest.keys()) if (!this.owned.has(code)) await this.claim(code);

      const live = await this.store.liveServers();
      const died = [...this.liveServers].filter((id) => !live.has(id));
      this.liveServers = live;
      if (died.length > 0) {
        this.log.warn({ servers: died }, 'servers stopped answering; releasing their players');
        for (const code of this.owned) {
          const token = this.tokens.get(code);
          if (token) await this.service.adopt(code, live, { ownerToken: token });
        }
      }
    } catch (error) {
      this.logFailure(error, undefined, 'ownership tick failed');
    }
  }

  private async restoreSeats(): Promise<void> {
    for (const [code, held] of this.seats) {
      const seats = [...held].map(([playerId, connectionId]) => ({ playerId, connectionId }));
      try {
        await this.service.restoreSeats(code, seats);
      } catch (error) {
        this.logFailure(error, code, 'could not restore seats');
      }
    }
  }

  private logFailure(error: unknown, code: string | undefined, message: string): void {
    if (isNotOwner(error)) {
      this.log.info({ room: code }, `${message}: another server runs the room now`);
      if (code) this.drop(code);
    } else if (error instanceof AppError && error.code === 'STORE_UNAVAILABLE') {
      this.log.debug({ room: code }, `${message}: store unavailable`);
    } else if (!(error instanceof AppError && error.code === 'ROOM_NOT_FOUND')) {
      this.log.warn({ err: error, room: code }, message);
    }
  }
}
