import { AppError, CHAT_HISTORY_LIMIT, type ChatMessage, type CloseReason } from '@gamebuddies/protocol';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import type { RoomRecord, RoomWithChat } from '../room/roomRecord.js';
import { ChatRing } from './chatRing.js';
import { jsonClone, sameJson, storeJson } from './jsonValue.js';
import { recordOnly } from './roomJson.js';
import {
  notOwner,
  type ChangeOptions,
  type ChangeOutcome,
  type RenewOutcome,
  type RoomChange,
  type RoomStore,
  type StoreHealth,
} from './roomStore.js';

interface Lease {
  serverId: string;
  expiresAt: number;
  /** `serverId#epoch`, made once: every change checks its owner token against it. */
  token: string;
}

interface Entry {
  /**
   * The store's own copy: JSON-shaped (what Redis would give back) and immutable (`storeJson`), each
   * version sharing what did not change with the version before.
   */
  room: RoomRecord;
  chat: ChatRing;
  expiresAt: number;
}

/**
 * Rooms in this process's memory, as live objects (no JSON round trip per change), behaving as the
 * Redis store does: a change runs on a deep copy of the stored room and the store keeps an immutable
 * copy of the result, so a change that throws leaves nothing behind and a caller mutating a room it
 * was given never changes the stored one. Copies are taken as JSON would make them, so what a room
 * holds is what Redis would hold. A `shallow` change (see ChangeOptions) runs on a copy of the
 * room's top level only, over its frozen parts: a chat line copies no players. A room's chat is a
 * ring buffer beside it.
 * Leases and heartbeats behave as in Redis, within this one process.
 */
export class MemoryRoomStore implements RoomStore {
  readonly kind = 'memory';
  readonly durable = false;
  private readonly rooms = new Map<string, Entry>();
  private readonly leases = new Map<string, Lease>();
  private readonly epochs = new Map<string, number>();
  private readonly servers = new Map<string, number>();
  private readonly timerListeners: Array<(code: string) => void> = [];
  private readonly deletedListeners: Array<(code: string, reason: CloseReason) => void> = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ttlSeconds: number) {
    // Rooms expire after ttlSeconds without a change, as Redis keys with a TTL would.
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, ttlSeconds * 1000)).unref();
  }

  async createRoom(room: RoomRecord): Promise<'created' | 'code_taken'> {
    if (this.live(room.code)) return 'code_taken';
    this.rooms.set(room.code, this.entry(storeJson(recordOnly(room)), new ChatRing(CHAT_HISTORY_LIMIT)));
    return 'created';
  }

  async loadRoom(code: string): Promise<RoomWithChat | null> {
    const entry = this.live(code);
    if (!entry) return null;
    const room = jsonClone(entry.room) as RoomWithChat;
    room.chat = entry.chat.toArray();
    return room;
  }

  async applyChange<T>(
    code: string,
    change: RoomChange<T>,
    options: ChangeOptions = {},
  ): Promise<ChangeOutcome<T>> {
    const entry = this.live(code);
    if (!entry) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    if (options.ownerToken !== undefined && this.tokenOf(code) !== options.ownerToken) throw notOwner(code);
    const stored = entry.room;
    const draft = options.shallow ? { ...stored } : jsonClone(stored);
    const newChat: ChatMessage[] = [];
    const result = change(draft, newChat);
    const room = draft as RoomWithChat;
    if (newChat.length === 0 && sameJson(draft, stored)) {
      room.chat = options.chat === 'added' ? [] : entry.chat.toArray();
      return { room, result, changed: false };
    }
    draft.version = stored.version + 1;
    draft.updatedAt = Date.now();
    // Assigned, not deleted and re-added last as the Redis store's JSON has it: key order is aside
    // here, and a `delete` turns the draft into a slow dictionary object for every step after it.
    if (options.history) draft.log = options.history(draft);
    // Everything that can throw comes before the first write: a failed change leaves nothing.
    const next = storeJson(recordOnly(draft), stored);
    const lines = newChat.map(ChatRing.keepable);
    for (const line of lines) entry.chat.add(line);
    this.rooms.set(code, this.entry(next, entry.chat));
    room.chat = options.chat === 'added' ? entry.chat.latest(lines.length) : entry.chat.toArray();
    return { room, result, changed: true };
  }

  async deleteRoom(code: string, reason: CloseReason = 'deleted'): Promise<void> {
    const existed = this.rooms.delete(code);
    this.leases.delete(code);
    this.epochs.delete(code);
    if (existed) for (const listener of this.deletedListeners) listener(code, reason);
  }

  onRoomDeleted(listener: (code: string, reason: CloseReason) => void): void {
    this.deletedListeners.push(listener);
  }

  async listRoomCodes(serverId?: string): Promise<string[]> {
    this.sweep();
    const codes: string[] = [];
    for (const [code, entry] of this.rooms)
      if (serverId === undefined || entry.room.serverId === serverId) codes.push(code);
    return codes;
  }

  async countRooms(serverId: string): Promise<number> {
    return (await this.listRoomCodes(serverId)).length;
  }

  async claimRoom(code: string, serverId: string, leaseMs: number): Promise<string | null> {
    const lease = this.leases.get(code);
    const held = lease && lease.expiresAt > Date.now();
    if (held && lease.serverId !== serverId) return null;
    if (held) {
      lease.expiresAt = Date.now() + leaseMs;
      return lease.token;
    }
    return this.takeRoom(code, serverId, leaseMs);
  }

  async takeRoom(code: string, serverId: string, leaseMs: number): Promise<string> {
    const epoch = (this.epochs.get(code) ?? 0) + 1;
    this.epochs.set(code, epoch);
    const token = `${serverId}#${epoch}`;
    this.leases.set(code, { serverId, expiresAt: Date.now() + leaseMs, token });
    return token;
  }

  async renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<RenewOutcome> {
    const outcome: RenewOutcome = { lost: [], expired: [] };
    for (const code of codes) {
      const lease = this.leases.get(code);
      if (!this.live(code)) {
        this.leases.delete(code);
        this.epochs.delete(code);
        outcome.expired.push(code);
      } else if (lease?.serverId === serverId && lease.expiresAt > Date.now()) {
        lease.expiresAt = Date.now() + leaseMs;
      } else outcome.lost.push(code);
    }
    return outcome;
  }

  async releaseRoom(code: string, serverId: string): Promise<void> {
    if (this.leases.get(code)?.serverId === serverId) this.leases.delete(code);
  }

  async heartbeat(serverId: string, ttlMs: number): Promise<boolean> {
    const previous = this.servers.get(serverId);
    const now = Date.now();
    this.servers.set(serverId, now + ttlMs);
    return previous !== undefined && previous < now;
  }

  async liveServers(): Promise<Set<string>> {
    const now = Date.now();
    return new Set([...this.servers].filter(([, until]) => until > now).map(([id]) => id));
  }

  private tokenOf(code: string): string | undefined {
    const lease = this.leases.get(code);
    return lease && lease.expiresAt > Date.now() ? lease.token : undefined;
  }

  async retireServer(serverId: string): Promise<void> {
    this.servers.delete(serverId);
  }

  async announceTimers(code: string): Promise<void> {
    for (const listener of this.timerListeners) listener(code);
  }

  onTimersAnnounced(listener: (code: string) => void): void {
    this.timerListeners.push(listener);
  }

  private readonly idempotencyStore = new MemoryIdempotencyStore();

  idempotency(): IdempotencyStore {
    return this.idempotencyStore;
  }

  health(): StoreHealth {
    return 'ok';
  }

  onHealthChange(): void {
    // Memory is always there.
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private entry(room: RoomRecord, chat: ChatRing): Entry {
    return { room, chat, expiresAt: Date.now() + this.ttlSeconds * 1000 };
  }

  private live(code: string): Entry | undefined {
    const entry = this.rooms.get(code);
    if (entry && entry.expiresAt <= Date.now()) {
      this.expire(code);
      return undefined;
    }
    return entry;
  }

  /** A room's TTL ran out: it goes with its lease, and every listener hears (as from Redis). */
  private expire(code: string): void {
    this.rooms.delete(code);
    this.leases.delete(code);
    this.epochs.delete(code);
    for (const listener of this.deletedListeners) listener(code, 'expired');
  }

  private sweep(): void {
    const now = Date.now();
    for (const [code, entry] of this.rooms) if (entry.expiresAt <= now) this.expire(code);
  }
}
