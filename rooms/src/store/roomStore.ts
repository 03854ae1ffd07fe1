import type { IdempotencyStore } from './idempotency.js';
import { AppError, type ChatMessage, type CloseReason } from '@gamebuddies/protocol';
import type { RoomLogEntry, RoomRecord, RoomWithChat } from '../room/roomRecord.js';

/**
 * Mutates a fresh copy of the stored room and returns a result. Throwing (an AppError) rejects the
 * change and nothing is written. A change that leaves the room as it was writes nothing.
 * Must be a pure function of the room: a store may call it again after a concurrent write.
 *
 * The room's chat is not in the draft: a change adds lines by pushing them to `newChat` (empty on
 * each call). They are written with the change, in the same atomic step, or not at all; the store
 * keeps the latest CHAT_HISTORY_LIMIT lines. A change that adds a line has changed the room.
 */
export type RoomChange<T> = (draft: RoomRecord, newChat: ChatMessage[]) => T;

/**
 * What a change says about itself: the room's history lines for it (`draft.version` is already the
 * version this change gives the room). Called only when the change changed the room, after the
 * no-op check, so a history line never turns a change that changed nothing into a write.
 */
export type ChangeHistory = (draft: RoomRecord) => RoomLogEntry[];

export interface ChangeOutcome<T> {
  /** The room as written; its `chat` as `ChangeOptions.chat` asks. */
  room: RoomWithChat;
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
export interface RenewOutcome {
  lost: string[];
  expired: string[];
}

export interface ChangeOptions {
  /** The writer's lease token: set for writes only the room's runner may make. */
  ownerToken?: string;
  /** The room's history lines for this change, written only if the change changed the room. */
  history?: ChangeHistory;
  /**
   * What the outcome's `room.chat` holds: the room's chat history as written (the default), or
   * `'added'`, only the lines this change added. A chat line's sender needs no history back, and
   * then a line costs the store O(line): the history is neither read nor sent.
   */
  chat?: 'history' | 'added';
  /**
   * The change edits only the room's top level and replaces nested values instead of editing them
   * in place (it may read anything): a store that keeps rooms as shared immutable trees (memory) then
   * copies only the top level for the draft. An in-place edit of a nested value is a bug the memory
   * store refuses (TypeError: its nested values are frozen), leaving the room as it was. The
   * outcome's room then shares those frozen values too: it is for reading (a broadcast, an ack).
   */
  shallow?: boolean;
}

/** The lease of the room has passed to another server: this one must not write as its runner. */
export function notOwner(code: string): AppError {
  return new AppError('CONFLICT', `This server no longer runs room ${code}`, { reason: 'NOT_OWNER' });
}

export const isNotOwner = (error: unknown): boolean =>
  error instanceof AppError && error.data?.reason === 'NOT_OWNER';

export interface RoomStore {
  readonly kind: 'memory' | 'redis';
  /** True when rooms outlive this process (another server can pick them up). */
  readonly durable: boolean;
  /**
   * Creates the room unless a live room holds its code (atomic: two servers never share a code).
   * The room starts with no chat (a `chat` the object may carry is not stored).
   */
  createRoom(room: RoomRecord): Promise<'created' | 'code_taken'>;
  /** The room with its chat history; a copy: mutating it never changes the stored room. */
  loadRoom(code: string): Promise<RoomWithChat | null>;
  /**
   * Applies a change atomically, bumping `version` by one; retries on a concurrent write. With an
   * `ownerToken` (the room's runner: timers, adoption) the write is refused with NOT_OWNER unless
   * that token still holds the room's lease.
   */
  applyChange<T>(code: string, change: RoomChange<T>, options?: ChangeOptions): Promise<ChangeOutcome<T>>;
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
   * Takes or renews the lease that makes `serverId` the one server running the room's timers, and
   * returns its fencing token (for `applyChange`). Null while another server holds an unexpired lease.
   */
  claimRoom(code: string, serverId: string, leaseMs: number): Promise<string | null>;
  /**
   * Takes the lease whoever holds it: an orchestrator (Agones' allocation, the operator) moved the
   * room here. The previous holder's token stops working at once; it stops running the room at its
   * next renewal.
   */
  takeRoom(code: string, serverId: string, leaseMs: number): Promise<string>;
  /**
   * Renews the leases still held. `lost`: another server holds the lease now. `expired`: the room
   * itself expired (TTL); its lease and index entries are removed and its deletion announced
   * (`onRoomDeleted`, reason `expired`) in the same step.
   */
  renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<RenewOutcome>;
  releaseRoom(code: string, serverId: string): Promise<void>;

  /**
   * Records that a server is alive (for ttlMs, on the store's clock); servers not seen within their
   * ttl are dead. True when this server's previous heartbeat had expired: others may have freed its
   * players' seats meanwhile.
   */
  heartbeat(serverId: string, ttlMs: number): Promise<boolean>;
  /** Servers whose last heartbeat has not expired (on the store's clock). */
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
