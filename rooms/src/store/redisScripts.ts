import type { Redis } from 'ioredis';

/**
 * Lua scripts: each runs atomically inside Redis, so a room's hash, its indexes and its TTL change
 * together or not at all. Keys a script touches are passed as KEYS where the caller knows them.
 */

/** KEYS: room, all-rooms index, server index. ARGV: code, json, serverId, ttlMs, expiresAt, version. */
const CREATE_ROOM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[6], 'd', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1`;

/**
 * Compare-and-set on the room version. KEYS: room, all-rooms index, new server index, old server
 * index. ARGV: expected version, new version, json, serverId, ttlMs, expiresAt, code.
 * Returns 1 written, 0 version moved on (retry), -1 room gone.
 */
const UPDATE_ROOM = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3], 's', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
if KEYS[3] ~= KEYS[4] then redis.call('ZREM', KEYS[4], ARGV[7]) end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
return 1`;

/**
 * KEYS: room, all-rooms index, lease. ARGV: code, server index key prefix, deletion channel, message.
 * The announcement is published in the same step, so no server can miss a deletion it must report.
 */
const DELETE_ROOM = `
local s = redis.call('HGET', KEYS[1], 's')
if not s then return 0 end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', ARGV[2] .. s, ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/** KEYS: lease. ARGV: serverId, leaseMs. Takes a free lease or renews our own. */
const CLAIM_ROOM = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** KEYS: leases. ARGV: serverId, leaseMs. Returns 1/0 per key: renewed or lost. */
const RENEW_ROOMS = `
local result = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result`;

/** KEYS: lease. ARGV: serverId. Deletes the lease only if it is ours. */
const RELEASE_ROOM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface StoreCommands {
  gbCreateRoom(...args: Array<string | number>): Promise<number>;
  gbUpdateRoom(...args: Array<string | number>): Promise<number>;
  gbDeleteRoom(...args: Array<string | number>): Promise<number>;
  gbClaimRoom(...args: Array<string | number>): Promise<number>;
  gbRenewRooms(numberOfKeys: number, ...args: Array<string | number>): Promise<number[]>;
  gbReleaseRoom(...args: Array<string | number>): Promise<number>;
}

export type StoreClient = Redis & StoreCommands;

/** Registers the scripts on a client (ioredis sends them by SHA and reloads them after a restart). */
export function withStoreScripts(client: Redis): StoreClient {
  client.defineCommand('gbCreateRoom', { numberOfKeys: 3, lua: CREATE_ROOM });
  client.defineCommand('gbUpdateRoom', { numberOfKeys: 4, lua: UPDATE_ROOM });
  client.defineCommand('gbDeleteRoom', { numberOfKeys: 3, lua: DELETE_ROOM });
  client.defineCommand('gbClaimRoom', { numberOfKeys: 1, lua: CLAIM_ROOM });
  client.defineCommand('gbRenewRooms', { lua: RENEW_ROOMS });
  client.defineCommand('gbReleaseRoom', { numberOfKeys: 1, lua: RELEASE_ROOM });
  return client as StoreClient;
}
