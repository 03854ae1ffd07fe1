/**
 * Every Redis key and channel name of the store, in one place (docs/state.md, "Redis layout").
 *
 * On a Redis Cluster a script may only touch keys of one hash slot, so every key of one room carries
 * the room's hash tag `{CODE}`: `room:{CODE}`, `lease:{CODE}`, `lease:{CODE}:epoch`, and any key made
 * from them (`roomKey(code) + ':chat'` lands in the same slot). On one Redis (standalone, Sentinel)
 * the names stay untagged, as they always were, so an upgrade finds the rooms already stored.
 *
 * The global indexes cannot share a slot with every room. On a cluster the index of all rooms is
 * split into ROOM_INDEX_BUCKETS zsets (`rooms:{rNN}`, spread over the shards) and written after the
 * room's script, not inside it (docs/state.md says what that guarantees).
 */
export const ROOM_INDEX_BUCKETS = 32;

export class RedisKeys {
  constructor(
    private readonly prefix: string,
    /** True on a Redis Cluster: per-room keys carry the `{CODE}` hash tag. */
    readonly cluster: boolean,
  ) {}

  private tag(code: string): string {
    return this.cluster ? `{${code}}` : code;
  }

  room(code: string): string {
    return `${this.prefix}room:${this.tag(code)}`;
  }

  /** The room's chat list: made from the room's key, so the two always share a hash slot. */
  chat(code: string): string {
    return `${this.room(code)}:chat`;
  }

  lease(code: string): string {
    return `${this.prefix}lease:${this.tag(code)}`;
  }

  leaseEpoch(code: string): string {
    return `${this.lease(code)}:epoch`;
  }

  /** The index of every room holding `code` (one key on one Redis; one of the buckets on a cluster). */
  roomIndex(code: string): string {
    return this.cluster ? this.roomIndexBucket(bucketOf(code)) : `${this.prefix}rooms`;
  }

  /** Every key of the index of all rooms. */
  roomIndexes(): string[] {
    if (!this.cluster) return [`${this.prefix}rooms`];
    return Array.from({ length: ROOM_INDEX_BUCKETS }, (_, i) => this.roomIndexBucket(i));
  }

  serverRooms(serverId: string): string {
    return `${this.prefix}server-rooms:${this.cluster ? `{${serverId}}` : serverId}`;
  }

  /** Live servers' heartbeats: one key (one slot) on either kind of Redis. */
  servers(): string {
    return `${this.prefix}servers`;
  }

  /** Pub/sub channels: classic PUBLISH reaches every node of a cluster. */
  timersChannel(): string {
    return `${this.prefix}timers`;
  }

  deletedChannel(): string {
    return `${this.prefix}deleted`;
  }

  idempotency(key: string): string {
    return `${this.prefix}idem:${key}`;
  }

  private roomIndexBucket(i: number): string {
    return `${this.prefix}rooms:{r${String(i).padStart(2, '0')}}`;
  }
}

/** A stable bucket for a room code (FNV-1a): the same code always lands in the same index bucket. */
function bucketOf(code: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    hash ^= code.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % ROOM_INDEX_BUCKETS;
}
