import { AppError, type CloseReason } from '@gamebuddies/protocol';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import type { RoomRecord } from '../room/roomRecord.js';
import { draftChange } from './changeDraft.js';
import type { ChangeOutcome, RoomChange, RoomStore, StoreHealth } from './roomStore.js';

interface Entry {
  json: string;
  serverId: string;
  expiresAt: number;
}

/**
 * Rooms in this process's memory. Values are kept serialized so that callers get the same
 * copy-on-read behaviour as from Redis: mutating a loaded room never changes the stored one.
 * Leases and heartbeats behave as in Redis, within this one process.
 */
export class MemoryRoomStore implements RoomStore {
  readonly kind = 'memory';
  readonly durable = false;
  private readonly rooms = new Map<string, Entry>();
  private readonly leases = new Map<string, { serverId: string; expiresAt: number }>();
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
    this.rooms.set(room.code, this.entry(room));
    return 'created';
  }

  async loadRoom(code: string): Promise<RoomRecord | null> {
    const entry = this.live(code);
    return entry ? (JSON.parse(entry.json) as RoomRecord) : null;
  }

  async applyChange<T>(code: string, change: RoomChange<T>): Promise<ChangeOutcome<T>> {
    const entry = this.live(code);
    if (!entry) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    const drafted = draftChange(entry.json, change);
    if (drafted.changed) this.rooms.set(code, this.entry(drafted.room, drafted.json));
    return { room: drafted.room, result: drafted.result, changed: drafted.changed };
  }

  async deleteRoom(code: string, reason: CloseReason = 'deleted'): Promise<void> {
    const existed = this.rooms.delete(code);
    this.leases.delete(code);
    if (existed) for (const listener of this.deletedListeners) listener(code, reason);
  }

  onRoomDeleted(listener: (code: string, reason: CloseReason) => void): void {
    this.deletedListeners.push(listener);
  }

  async listRoomCodes(serverId?: string): Promise<string[]> {
    this.sweep();
    const codes: string[] = [];
    for (const [code, entry] of this.rooms)
      if (serverId === undefined || entry.serverId === serverId) codes.push(code);
    return codes;
  }

  async countRooms(serverId: string): Promise<number> {
    return (await this.listRoomCodes(serverId)).length;
  }

  async claimRoom(code: string, serverId: string, leaseMs: number): Promise<boolean> {
    const lease = this.leases.get(code);
    if (lease && lease.serverId !== serverId && lease.expiresAt > Date.now()) return false;
    this.leases.set(code, { serverId, expiresAt: Date.now() + leaseMs });
    return true;
  }

  async takeRoom(code: string, serverId: string, leaseMs: number): Promise<void> {
    this.leases.set(code, { serverId, expiresAt: Date.now() + leaseMs });
  }

  async renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<string[]> {
    const lost: string[] = [];
    for (const code of codes) {
      const lease = this.leases.get(code);
      if (lease?.serverId === serverId && lease.expiresAt > Date.now())
        lease.expiresAt = Date.now() + leaseMs;
      else lost.push(code);
    }
    return lost;
  }

  async releaseRoom(code: string, serverId: string): Promise<void> {
    if (this.leases.get(code)?.serverId === serverId) this.leases.delete(code);
  }

  async heartbeat(serverId: string, ttlMs: number): Promise<void> {
    this.servers.set(serverId, Date.now() + ttlMs);
  }

  async liveServers(): Promise<Set<string>> {
    const now = Date.now();
    return new Set([...this.servers].filter(([, until]) => until > now).map(([id]) => id));
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

  private entry(room: RoomRecord, json = JSON.stringify(room)): Entry {
    return {
      json,
      serverId: room.serverId,
      expiresAt: Date.now() + this.ttlSeconds * 1000,
    };
  }

  private live(code: string): Entry | undefined {
    const entry = this.rooms.get(code);
    if (entry && entry.expiresAt <= Date.now()) {
      this.rooms.delete(code);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [code, entry] of this.rooms) if (entry.expiresAt <= now) this.rooms.delete(code);
  }
}
