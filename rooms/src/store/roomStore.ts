import type { IdempotencyStore } from './idempotency.js';
import type { CloseReason } from '@gamebuddies/protocol';
import type { RoomLogEntry, RoomRecord } from '../room/roomRecord.js';

/**
 * Mutates a fresh copy of the stored room and returns a result. Throwing (an AppError) rejects the
 * change and nothing is written. A change that leaves the room as it was writes nothing.
 * Must be a pure function of the room: a store may call it again after a concurrent write.
 */
export type RoomChange<T> = (draft: RoomRecord) => T;

/**
 * What a change says about itself: the room's history lines for it (`draft.version` is already the
 * version this change gives the room). Called only when the change changed the room, after the
 * no-op check, so a history line never turns a change that changed nothing into a write.
 */
export type ChangeHistory = (draft: RoomRecord) => RoomLogEntry[];

export interface ChangeOutcome<T> {
  room: RoomRecord;
  result: T;
  /** False when the change left the room as it was (no write, no version bump). */
  changed: boolean;
}

export type StoreHealth = 'ok' | 'unavailable';

/**
 * Where rooms live. Memory for one process; Redis when several servers share rooms.
 * Every method resolves only once the write is durable in the store, so a client may be told
 * "saved" right after; when the store cannot be reached it rejects with STORE_UNAVAILABLE.
 */
export interface RoomStore {
  readonly kind: 'memory' | 'redis';
  /** True when rooms outlive this process (another server can pick them up). */
  readonly durable: boolean;
  /** Creates the room unless a live room holds its code (atomic: two servers never share a code). */
  createRoom(room: RoomRecord): Promise<'created' | 'code_taken'>;
  loadRoom(code: string): Promise<RoomRecord | null>;
  /** Applies a change atomically, bumping `version` by one; retries on a concurrent write. */
  applyChange<T>(code: string, change: RoomChange<T>, history?: ChangeHistory): Promise<ChangeOutcome<T>>;
  /**
   * Deletes the room and tells every server sharing this store (`onRoomDeleted`), so whoever holds
   * the room's players can say goodbye, whichever process deleted it (a server, the operator).
   */
  deleteRoom(code: string, reason?: CloseReason): Promise<void>;
  onRoomDeleted(listener: (code: string, reason: CloseReason) => void): void;
  /** Codes of live rooms, all or only those held by one server. */
  listRoomCodes(serverId?: string): Promise<string[]>;
  /** Live rooms held by one server: its load against MAX_ROOMS. */
  countRooms(serverId: string): Promise<number>;

  /**
   * Takes or renews the lease that makes `serverId` the one server running the room's timers.
   * False while another server holds an unexpired lease.
   */
  claimRoom(code: string, serverId: string, leaseMs: number): Promise<boolean>;
  /**
   * Takes the lease whoever holds it: an orchestrator (Agones' allocation, the operator) moved the
   * room here. The previous holder loses it at its next renewal and stops running the room.
   */
  takeRoom(code: string, serverId: string, leaseMs: number): Promise<void>;
  /** Renews the leases still held; returns the codes whose lease was lost. */
  renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<string[]>;
  releaseRoom(code: string, serverId: string): Promise<void>;

  /** Records that a server is alive (for ttlMs); servers not seen within their ttl are dead. */
  heartbeat(serverId: string, ttlMs: number): Promise<void>;
  /** Servers whose last heartbeat has not expired. */
  liveServers(): Promise<Set<string>>;
  /** Forgets a server at once (clean shutdown) so others take its rooms without waiting. */
  retireServer(serverId: string): Promise<void>;

  /** Tells whoever runs the room that its timers changed (the change was made on another server). */
  announceTimers(code: string): Promise<void>;
  onTimersAnnounced(listener: (code: string) => void): void;

  /** Where the Rooms API remembers Idempotency-Key answers (shared when the store is). */
  idempotency(): IdempotencyStore;

  health(): StoreHealth;
  /** Calls `listener` whenever health changes. */
  onHealthChange(listener: (health: StoreHealth) => void): void;
  close(): Promise<void>;
}
