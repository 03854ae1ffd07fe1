import type { RoomRecord } from '../rooms/roomRecord.js';

/**
 * Mutates a fresh copy of the stored room and returns a result. Throwing (an AppError) rejects the
 * change and nothing is written. A change that leaves the room as it was writes nothing.
 * Must be a pure function of the room: a store may call it again after a concurrent write.
 */
export type RoomChange<T> = (draft: RoomRecord) => T;

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
 * "saved" right after.
 */
export interface RoomStore {
  readonly kind: 'memory' | 'redis';
  /** True when rooms outlive this process (another server can pick them up). */
  readonly durable: boolean;
  /** Creates the room unless a live room holds its code (atomic: two servers never share a code). */
  createRoom(room: RoomRecord): Promise<'created' | 'code_taken'>;
  loadRoom(code: string): Promise<RoomRecord | null>;
  /** Applies a change atomically, bumping `version` by one; retries on a concurrent write. */
  applyChange<T>(code: string, change: RoomChange<T>): Promise<ChangeOutcome<T>>;
  deleteRoom(code: string): Promise<void>;
  /** Codes of live rooms, all or only those created on one server (resuming timers, listing). */
  listRoomCodes(serverId?: string): Promise<string[]>;
  /** Live rooms created on one server: its load against MAX_ROOMS. */
  countRooms(serverId: string): Promise<number>;
  health(): StoreHealth;
  close(): Promise<void>;
}
