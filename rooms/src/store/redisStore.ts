import type { Redis } from 'ioredis';
import { AppError, CHAT_HISTORY_LIMIT, type ChatMessage, type CloseReason } from '@gamebuddies/protocol';
import { RedisIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import type { Logger } from '../logger.js';
import type { RoomRecord, RoomWithChat } from '../room/roomRecord.js';
import { withStoreScripts, type StoreClient } from './redisScripts.js';
import { draftChange } from './changeDraft.js';
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

/** Concurrent writers of one room retry this often before the change is refused with CONFLICT. */
const MAX_ATTEMPTS = 50;

export interface RedisStoreOptions {
  /** Key prefix (REDIS_KEY_PREFIX); lets several deployments or tests share one Redis. */
  prefix: string;
  roomTtlSeconds: number;
  /** Called with the duration of each store operation (for the Redis latency metric). */
  observe?: (operation: string, seconds: number) => void;
  /**
   * REDIS_ACK_REPLICAS: a write is reported done only once this many replicas have it (`WAIT`),
   * within ackTimeoutMs; else UNAVAILABLE. 0: once the master has it (replication is asynchronous,
   * so a failover can lose it).
   */
  ackReplicas?: number;
  ackTimeoutMs?: number;
}

/**
 * Rooms in Redis, shared by every server. Layout (docs/state.md):
 *   <p>room:<CODE>            hash { v: version, d: room JSON (no chat), s: server id }, TTL = room TTL
 *   <p>room:<CODE>:chat       list of chat lines (JSON), the latest CHAT_HISTORY_LIMIT, TTL = room TTL
 *   <p>rooms                  zset code -> expiry (ms), every live room
 *   <p>server-rooms:<SERVER>  zset code -> expiry (ms), rooms held by one server
 *   <p>lease:<CODE>           string "<server id>#<epoch>" (fencing token), PX = lease: who runs the room's timers
 *   <p>lease:<CODE>:epoch     counter, +1 each time the lease changes hands
 *   <p>servers                zset server id -> heartbeat expiry (ms, on Redis' clock)
 *   channel <p>timers         room codes whose timers changed
 */
export class RedisRoomStore implements RoomStore {
  readonly kind = 'redis';
  readonly durable = true;
  private readonly client: StoreClient;
  private subscriber?: Redis;
  private readonly timerListeners: Array<(code: string) => void> = [];
  private readonly deletedListeners: Array<(code: string, reason: CloseReason) => void> = [];
  private readonly healthListeners: Array<(health: StoreHealth) => void> = [];
  private lastHealth: StoreHealth;
  private everReady = false;

  constructor(
    client: Redis,
    private readonly createSubscriber: () => Redis,
    private readonly options: RedisStoreOptions,
    private readonly log: Logger,
  ) {
    this.client = withStoreScripts(client);
    this.lastHealth = this.health();
    this.everReady = this.lastHealth === 'ok';
    for (const event of ['ready', 'end', 'close', 'error']) {
      client.on(event, () => this.checkHealth());
    }
  }

  /** Resolves once connected; rejects with a clear message when Redis cannot be reached. */
  async connect(timeoutMs = 10_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
      };
      this.client.on('ready', onReady);
    });
  }

  async createRoom(room: RoomRecord): Promise<'created' | 'code_taken'> {
    const created = await this.run('create', () =>
      this.client.gbCreateRoom(
        this.roomKey(room.code),
        this.key('rooms'),
        this.serverRoomsKey(room.serverId),
        this.chatKey(room.code),
        room.code,
        JSON.stringify(recordOnly(room)),
        room.serverId,
        this.ttlMs,
        Date.now() + this.ttlMs,
        room.version,
      ),
    );
    if (created !== 1) return 'code_taken';
    await this.replicated();
    return 'created';
  }

  async loadRoom(code: string): Promise<RoomWithChat | null> {
    const [json, lines] = await this.run('load', () => this.readRoom(code, true));
    if (!json) return null;
    const room = JSON.parse(json) as RoomWithChat;
    room.chat = [...(room.chat ?? []), ...parseLines(lines)].slice(-CHAT_HISTORY_LIMIT);
    return room;
  }

  /** The room's JSON and, if asked, its chat lines, read together (one MULTI: the same version). */
  private async readRoom(code: string, withChat: boolean): Promise<[string | null, string[]]> {
    if (!withChat) return [await this.client.hget(this.roomKey(code), 'd'), []];
    const replies = await this.client
      .multi()
      .hget(this.roomKey(code), 'd')
      .lrange(this.chatKey(code), 0, -1)
      .exec();
    if (!replies) throw new Error('MULTI was aborted');
    for (const [error] of replies) if (error) throw error;
    return [replies[0]![1] as string | null, replies[1]![1] as string[]];
  }

  async applyChange<T>(
    code: string,
    change: RoomChange<T>,
    options: ChangeOptions = {},
  ): Promise<ChangeOutcome<T>> {
    // The history is read with the room only when the outcome must carry it, never for a chat line.
    const withHistory = options.chat !== 'added';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [json, lines] = await this.run('load', () => this.readRoom(code, withHistory));
      if (!json) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
      const drafted = draftChange(json, change, options.history);
      if (!drafted.changed) {
        const chat = withHistory ? [...drafted.legacyChat, ...parseLines(lines)] : [];
        return { room: withChat(drafted.room, chat), result: drafted.result, changed: false };
      }
      const { room, before } = drafted;
      const written = await this.run('update', () =>
        this.client.gbUpdateRoom(
          this.roomKey(code),
          this.key('rooms'),
          this.serverRoomsKey(room.serverId),
          this.serverRoomsKey(before.serverId),
          this.leaseKey(code),
          this.chatKey(code),
          before.version,
          room.version,
          drafted.json,
          room.serverId,
          this.ttlMs,
          Date.now() + this.ttlMs,
          code,
          options.ownerToken ?? '',
          CHAT_HISTORY_LIMIT,
          ...drafted.chat.map((line) => JSON.stringify(line)),
        ),
      );
      if (written === -2) throw notOwner(code);
      if (written === 1) {
        await this.replicated();
        // The version did not move since the read, so neither did the chat: read + added is the list.
        const chat = withHistory ? [...parseLines(lines), ...drafted.chat] : drafted.chat;
        return { room: withChat(room, chat), result: drafted.result, changed: true };
      }
      if (written === -1) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
      // Another server wrote first: back off a little (more each time) and apply to the new state.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
    }
    throw new AppError('CONFLICT', 'The room is too busy right now; try again');
  }

  async deleteRoom(code: string, reason: CloseReason = 'deleted'): Promise<void> {
    await this.run('delete', () =>
      this.client.gbDeleteRoom(
        this.roomKey(code),
        this.key('rooms'),
        this.leaseKey(code),
        this.chatKey(code),
        code,
        this.key('server-rooms:'),
        this.key('deleted'),
        JSON.stringify({ code, reason }),
      ),
    );
    await this.replicated();
  }

  onRoomDeleted(listener: (code: string, reason: CloseReason) => void): void {
    this.deletedListeners.push(listener);
    this.subscribe();
  }

  async listRoomCodes(serverId?: string): Promise<string[]> {
    const index = serverId === undefined ? this.key('rooms') : this.serverRoomsKey(serverId);
    return this.run('list', () => this.client.zrangebyscore(index, Date.now(), '+inf'));
  }

  async countRooms(serverId: string): Promise<number> {
    return this.run('count', () => this.client.zcount(this.serverRoomsKey(serverId), Date.now(), '+inf'));
  }

  async claimRoom(code: string, serverId: string, leaseMs: number): Promise<string | null> {
    return this.run('lease', () => this.client.gbClaimRoom(this.leaseKey(code), serverId, leaseMs));
  }

  async takeRoom(code: string, serverId: string, leaseMs: number): Promise<string> {
    return this.run('lease', () => this.client.gbTakeRoom(this.leaseKey(code), serverId, leaseMs));
  }

  async renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<RenewOutcome> {
    if (codes.length === 0) return { lost: [], expired: [] };
    const renewed = await this.run('lease', () =>
      this.client.gbRenewRooms(
        codes.length,
        ...codes.map((c) => this.leaseKey(c)),
        serverId,
        leaseMs,
        this.key('room:'),
        this.key('rooms'),
        this.key('server-rooms:'),
        this.key('deleted'),
        ...codes,
      ),
    );
    return {
      lost: codes.filter((_, i) => renewed[i] === 0),
      expired: codes.filter((_, i) => renewed[i] === -1),
    };
  }

  async releaseRoom(code: string, serverId: string): Promise<void> {
    await this.run('lease', () => this.client.gbReleaseRoom(this.leaseKey(code), serverId));
  }

  async heartbeat(serverId: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.run('heartbeat', () => this.client.gbHeartbeat(this.key('servers'), serverId, ttlMs))) === 1
    );
  }

  async liveServers(): Promise<Set<string>> {
    return new Set(await this.run('heartbeat', () => this.client.gbLiveServers(this.key('servers'))));
  }

  async retireServer(serverId: string): Promise<void> {
    await this.run('heartbeat', () => this.client.zrem(this.key('servers'), serverId));
  }

  async announceTimers(code: string): Promise<void> {
    await this.run('announce', () => this.client.publish(this.key('timers'), code));
  }

  onTimersAnnounced(listener: (code: string) => void): void {
    this.timerListeners.push(listener);
    this.subscribe();
  }

  /** One subscriber connection for the store's channels (timers changed, rooms deleted). */
  private subscribe(): void {
    if (this.subscriber) return;
    const subscriber = this.createSubscriber();
    this.subscriber = subscriber;
    const [timers, deleted] = [this.key('timers'), this.key('deleted')];
    subscriber.on('error', (error: Error) => this.log.debug({ err: error }, 'redis subscriber error'));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === timers) for (const notify of this.timerListeners) notify(message);
      if (channel === deleted) {
        const { code, reason } = JSON.parse(message) as { code: string; reason: CloseReason };
        for (const notify of this.deletedListeners) notify(code, reason);
      }
    });
    subscriber.subscribe(timers, deleted).catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not subscribe to store announcements; retried on reconnect');
    });
  }

  idempotency(): IdempotencyStore {
    const inner = new RedisIdempotencyStore(this.client, this.options.prefix);
    return {
      begin: (key, fingerprint) => this.run('idempotency', () => inner.begin(key, fingerprint)),
      complete: async (key, fingerprint, response) => {
        await this.run('idempotency', () => inner.complete(key, fingerprint, response));
        await this.replicated();
      },
      abandon: (key) => this.run('idempotency', () => inner.abandon(key)),
    };
  }

  health(): StoreHealth {
    return this.client.status === 'ready' ? 'ok' : 'unavailable';
  }

  onHealthChange(listener: (health: StoreHealth) => void): void {
    this.healthListeners.push(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.client.quit(), this.subscriber?.quit()]);
    this.client.disconnect();
    this.subscriber?.disconnect();
  }

  private get ttlMs(): number {
    return this.options.roomTtlSeconds * 1000;
  }

  private key(name: string): string {
    return this.options.prefix + name;
  }

  private roomKey(code: string): string {
    return this.key(`room:${code}`);
  }

  /** Beside the room's own key (derived from it, so the two always share a hash slot). */
  private chatKey(code: string): string {
    return `${this.roomKey(code)}:chat`;
  }

  private leaseKey(code: string): string {
    return this.key(`lease:${code}`);
  }

  private serverRoomsKey(serverId: string): string {
    return this.key(`server-rooms:${serverId}`);
  }

  private checkHealth(): void {
    const now = this.health();
    if (now === this.lastHealth) return;
    this.lastHealth = now;
    // The first connection is not news; only a loss and a return are.
    if (now === 'ok' && !this.everReady) {
      this.everReady = true;
      return;
    }
    this.log.warn({ health: now }, now === 'ok' ? 'redis is back' : 'redis is unavailable');
    for (const listener of this.healthListeners) listener(now);
  }

  /**
   * With REDIS_ACK_REPLICAS, waits until the writes of this connection so far are on that many
   * replicas. WAIT blocks this connection only (each process has its own), for at most ackTimeoutMs.
   * A failure here is UNAVAILABLE, not STORE_UNAVAILABLE: the master has the write, a failover may
   * still lose it, so the client is told it is not confirmed rather than that nothing happened.
   */
  private async replicated(): Promise<void> {
    const replicas = this.options.ackReplicas ?? 0;
    if (replicas === 0) return;
    const timeoutMs = this.options.ackTimeoutMs ?? 500;
    const started = performance.now();
    let acked = 0;
    try {
      acked = await this.client.wait(replicas, timeoutMs);
    } catch (error) {
      this.log.debug({ err: error }, 'redis WAIT failed');
    } finally {
      this.options.observe?.('wait', (performance.now() - started) / 1000);
    }
    if (acked < replicas) {
      throw new AppError(
        'UNAVAILABLE',
        `Not confirmed by ${replicas} Redis replica(s) within ${timeoutMs} ms: it may not have been saved; try again`,
      );
    }
  }

  /** Times an operation and turns any Redis failure into STORE_UNAVAILABLE. */
  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await command();
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.log.debug({ err: error, operation }, 'redis command failed');
      throw new AppError('STORE_UNAVAILABLE', 'The room store is unavailable; try again in a moment');
    } finally {
      this.options.observe?.(operation, (performance.now() - started) / 1000);
    }
  }
}

/** Chat lines as stored (one JSON each), parsed in one go. */
function parseLines(lines: string[]): ChatMessage[] {
  return lines.length === 0 ? [] : (JSON.parse(`[${lines.join(',')}]`) as ChatMessage[]);
}

function withChat(room: RoomRecord, chat: ChatMessage[]): RoomWithChat {
  const out = room as RoomWithChat;
  out.chat = chat.length > CHAT_HISTORY_LIMIT ? chat.slice(-CHAT_HISTORY_LIMIT) : chat;
  return out;
}
