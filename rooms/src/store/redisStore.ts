import type { Cluster } from 'ioredis';
import keySlot from 'cluster-key-slot';
import { AppError, CHAT_HISTORY_LIMIT, type ChatMessage, type CloseReason } from '@gamebuddies/protocol';
import { RedisIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import type { Logger } from '../logger.js';
import type { RoomRecord, RoomWithChat } from '../room/roomRecord.js';
import { withStoreScripts, type StoreClient } from './redisScripts.js';
import type { RedisClient } from './redisConnection.js';
import { RedisKeys } from './redisKeys.js';
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
 * Rooms in Redis, shared by every server. Layout (docs/state.md; names in redisKeys.ts):
 *   <p>room:<CODE>            hash { v: version, d: room JSON (no chat), s: server id }, TTL = room TTL
 *   <p>room:<CODE>:chat       list of chat lines (JSON), the latest CHAT_HISTORY_LIMIT, TTL = room TTL
 *   <p>rooms                  zset code -> expiry (ms), every live room
 *   <p>server-rooms:<SERVER>  zset code -> expiry (ms), rooms held by one server
 *   <p>lease:<CODE>           string "<server id>#<epoch>" (fencing token), PX = lease: who runs the room's timers
 *   <p>lease:<CODE>:epoch     counter, +1 each time the lease changes hands
 *   <p>servers                zset server id -> heartbeat expiry (ms, on Redis' clock)
 *   channel <p>timers         room codes whose timers changed
 * On a Redis Cluster the per-room keys carry `{CODE}`, `rooms` is split into buckets, and the
 * indexes are written after each room script instead of inside it (see `followUp`).
 */
export class RedisRoomStore implements RoomStore {
  readonly kind = 'redis';
  readonly durable = true;
  private readonly client: StoreClient;
  private readonly keys: RedisKeys;
  private subscriber?: RedisClient;
  private readonly timerListeners: Array<(code: string) => void> = [];
  private readonly deletedListeners: Array<(code: string, reason: CloseReason) => void> = [];
  private readonly healthListeners: Array<(health: StoreHealth) => void> = [];
  private lastHealth: StoreHealth;
  private everReady = false;

  constructor(
    client: RedisClient,
    private readonly createSubscriber: () => RedisClient,
    private readonly options: RedisStoreOptions,
    private readonly log: Logger,
  ) {
    this.client = withStoreScripts(client);
    this.keys = new RedisKeys(options.prefix, isCluster(client));
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
    const expiresAt = Date.now() + this.ttlMs;
    const created = await this.run('create', () =>
      this.client.gbCreateRoom(
        ...this.withIndexes(
          [this.keys.room(room.code), this.keys.chat(room.code)],
          [this.keys.roomIndex(room.code), this.keys.serverRooms(room.serverId)],
        ),
        room.code,
        JSON.stringify(recordOnly(room)),
        room.serverId,
        this.ttlMs,
        expiresAt,
        room.version,
        this.keys.cluster ? 0 : 2,
      ),
    );
    if (created !== 1) return 'code_taken';
    // Indexed first: the script has marked the room indexed (`ix`), so an index write skipped because
    // the replica wait failed would not be retried by the room's next change.
    await this.followUp('index', () => this.index(room.code, room.serverId, expiresAt));
    await this.replicated(this.keys.room(room.code));
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
    if (!withChat) return [await this.client.hget(this.keys.room(code), 'd'), []];
    const replies = await this.client
      .multi()
      .hget(this.keys.room(code), 'd')
      .lrange(this.keys.chat(code), 0, -1)
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
      const expiresAt = Date.now() + this.ttlMs;
      // Before the write, outside `run`: a line JSON cannot hold is the caller's error, not the store's.
      const newLines = drafted.chat.map((line) => JSON.stringify(line));
      const written = await this.run('update', () =>
        this.client.gbUpdateRoom(
          ...this.withIndexes(
            [this.keys.room(code), this.keys.lease(code), this.keys.chat(code)],
            [
              this.keys.roomIndex(code),
              this.keys.serverRooms(room.serverId),
              this.keys.serverRooms(before.serverId),
            ],
          ),
          before.version,
          room.version,
          drafted.json,
          room.serverId,
          this.ttlMs,
          expiresAt,
          code,
          options.ownerToken ?? '',
          this.indexSlackMs,
          this.keys.cluster ? 0 : 3,
          CHAT_HISTORY_LIMIT,
          ...newLines,
        ),
      );
      if (written === -2) throw notOwner(code);
      if (written === 1 || written === 2) {
        if (written === 2) {
          await this.followUp('index', async () => {
            if (before.serverId !== room.serverId) await this.unindex(code, before.serverId, false);
            await this.index(code, room.serverId, expiresAt);
          });
        }
        await this.replicated(this.keys.room(code));
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
    const holder = await this.run('delete', () =>
      this.client.gbDeleteRoom(
        ...this.withIndexes(
          [this.keys.room(code), this.keys.lease(code), this.keys.leaseEpoch(code), this.keys.chat(code)],
          [this.keys.roomIndex(code)],
        ),
        code,
        this.keys.serverRooms(''),
        this.keys.deletedChannel(),
        JSON.stringify({ code, reason }),
        this.keys.cluster ? 0 : 1,
      ),
    );
    if (holder && this.keys.cluster) await this.followUp('unindex', () => this.unindex(code, holder, true));
    await this.replicated(this.keys.room(code));
  }

  onRoomDeleted(listener: (code: string, reason: CloseReason) => void): void {
    this.deletedListeners.push(listener);
    this.subscribe();
  }

  async listRoomCodes(serverId?: string): Promise<string[]> {
    const now = Date.now();
    if (serverId !== undefined) {
      const index = this.keys.serverRooms(serverId);
      return this.run('list', () => this.client.zrangebyscore(index, now, '+inf'));
    }
    const buckets = await Promise.all(
      this.keys
        .roomIndexes()
        .map((index) => this.run('list', () => this.client.zrangebyscore(index, now, '+inf'))),
    );
    return buckets.flat();
  }

  async countRooms(serverId: string): Promise<number> {
    return this.run('count', () => this.client.zcount(this.keys.serverRooms(serverId), Date.now(), '+inf'));
  }

  async claimRoom(code: string, serverId: string, leaseMs: number): Promise<string | null> {
    return this.run('lease', () =>
      this.client.gbClaimRoom(this.keys.lease(code), this.keys.leaseEpoch(code), serverId, leaseMs),
    );
  }

  async takeRoom(code: string, serverId: string, leaseMs: number): Promise<string> {
    return this.run('lease', () =>
      this.client.gbTakeRoom(this.keys.lease(code), this.keys.leaseEpoch(code), serverId, leaseMs),
    );
  }

  async renewRooms(codes: string[], serverId: string, leaseMs: number): Promise<RenewOutcome> {
    if (codes.length === 0) return { lost: [], expired: [] };
    const renew = (batch: string[]) =>
      this.run('lease', () =>
        this.client.gbRenewRooms(
          batch.length * 4,
          ...batch.flatMap((c) => [
            this.keys.lease(c),
            this.keys.leaseEpoch(c),
            this.keys.room(c),
            this.keys.chat(c),
          ]),
          serverId,
          leaseMs,
          this.keys.cluster ? '' : this.keys.roomIndex(''),
          this.keys.cluster ? '' : this.keys.serverRooms(serverId),
          this.keys.deletedChannel(),
          ...batch,
        ),
      );
    // One script for all on one Redis; one per room on a cluster (a script stays in one slot).
    const renewed = this.keys.cluster
      ? (await Promise.all(codes.map((code) => renew([code])))).flat()
      : await renew(codes);
    if (this.keys.cluster) {
      const expired = codes.filter((_, i) => renewed[i] === -1);
      await this.followUp('unindex', async () => {
        for (const code of expired) await this.unindex(code, serverId, true);
      });
    }
    return {
      lost: codes.filter((_, i) => renewed[i] === 0),
      expired: codes.filter((_, i) => renewed[i] === -1),
    };
  }

  async releaseRoom(code: string, serverId: string): Promise<void> {
    await this.run('lease', () => this.client.gbReleaseRoom(this.keys.lease(code), serverId));
  }

  async heartbeat(serverId: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.run('heartbeat', () => this.client.gbHeartbeat(this.keys.servers(), serverId, ttlMs))) === 1
    );
  }

  async liveServers(): Promise<Set<string>> {
    return new Set(await this.run('heartbeat', () => this.client.gbLiveServers(this.keys.servers())));
  }

  async retireServer(serverId: string): Promise<void> {
    await this.run('heartbeat', () => this.client.zrem(this.keys.servers(), serverId));
  }

  async announceTimers(code: string): Promise<void> {
    await this.run('announce', () => this.client.publish(this.keys.timersChannel(), code));
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
    const [timers, deleted] = [this.keys.timersChannel(), this.keys.deletedChannel()];
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
    const inner = new RedisIdempotencyStore(this.client, (key) => this.keys.idempotency(key));
    return {
      begin: (key, fingerprint) => this.run('idempotency', () => inner.begin(key, fingerprint)),
      complete: async (key, fingerprint, response) => {
        await this.run('idempotency', () => inner.complete(key, fingerprint, response));
        await this.replicated(this.keys.idempotency(key));
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

  /**
   * Cluster: how far the index entries' expiry may lag the room's before a change refreshes them,
   * so an action does not cost two more writes on other shards each time. A room idle for its
   * whole TTL can thus leave the index up to this long before its key expires.
   */
  private get indexSlackMs(): number {
    return Math.min(60_000, Math.floor(this.ttlMs / 10));
  }

  /** A script's keys: with the index keys on one Redis; the room's own keys only on a cluster. */
  private withIndexes(own: string[], indexes: string[]): Array<string | number> {
    const keys = this.keys.cluster ? own : [...own, ...indexes];
    return [keys.length, ...keys];
  }

  /** Cluster: the room's entries in the index of all rooms and in its server's index. */
  private async index(code: string, serverId: string, expiresAt: number): Promise<void> {
    if (!this.keys.cluster) return;
    await Promise.all([
      this.client.zadd(this.keys.roomIndex(code), expiresAt, code),
      this.client.zadd(this.keys.serverRooms(serverId), expiresAt, code),
    ]);
  }

  private async unindex(code: string, serverId: string, everywhere: boolean): Promise<void> {
    await Promise.all([
      this.client.zrem(this.keys.serverRooms(serverId), code),
      ...(everywhere ? [this.client.zrem(this.keys.roomIndex(code), code)] : []),
    ]);
  }

  /**
   * Cluster: an index write after the room's script. The room change is already saved (and
   * acknowledged on failure: the player's action happened); a failed index write only leaves an
   * entry stale or missing until the room's next indexed change (docs/state.md), so it is logged,
   * not thrown.
   */
  private async followUp(operation: string, write: () => Promise<void>): Promise<void> {
    if (!this.keys.cluster) return;
    try {
      await this.run(operation, write);
    } catch (error) {
      this.log.warn({ err: error }, 'room index not updated; repaired at its next indexed change');
    }
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
  private async replicated(key: string): Promise<void> {
    const replicas = this.options.ackReplicas ?? 0;
    if (replicas === 0) return;
    const timeoutMs = this.options.ackTimeoutMs ?? 500;
    const started = performance.now();
    let acked = 0;
    try {
      acked = await this.connectionOf(key).wait(replicas, timeoutMs);
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

  /**
   * The connection the write of `key` went through: on a cluster, the client's one connection to
   * the master of the key's slot as the client knows it after the write (MOVED and ASK followed),
   * since WAIT counts only what its own connection wrote. A master lost in between fails the WAIT:
   * the write is then answered UNAVAILABLE, never confirmed by mistake.
   */
  private connectionOf(key: string): { wait(replicas: number, timeoutMs: number): Promise<number> } {
    if (!this.keys.cluster) return this.client;
    const cluster = this.client as Cluster;
    const master = cluster.slots[keySlot(key)]?.[0];
    const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === master);
    if (!node) throw new Error(`no connection to the master of ${key}`);
    return node;
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

function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
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
