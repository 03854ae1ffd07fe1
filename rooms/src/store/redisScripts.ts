import type { Redis } from 'ioredis';

/**
 * Lua scripts: each runs atomically inside Redis, so a room's hash, its indexes and its TTL change
 * together or not at all. Keys a script touches are passed as KEYS where the caller knows them.
 */

/**
 * KEYS: room, all-rooms index, server index, room's chat. ARGV: code, json, serverId, ttlMs,
 * expiresAt, version. Changed (issue 18): a room starts with no chat list (KEYS[4] cleared).
 */
const CREATE_ROOM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[1], 'v', ARGV[6], 'd', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1`;

/**
 * Compare-and-set on the room version, and for the owner's writes (timers, adoption) on its fencing
 * token too. KEYS: room, all-rooms index, new server index, old server index, lease, room's chat.
 * ARGV: expected version, new version, json, serverId, ttlMs, expiresAt, code, owner token ('' when
 * any server may write: players' actions), chat lines kept, then the change's chat lines (JSON).
 * Returns 1 written, 0 version moved on (retry), -1 room gone, -2 the token is not the lease's any
 * more (another server took the room; this one must not write).
 * Changed (issue 18): the chat is a list beside the room (KEYS[6]); the change's lines are pushed
 * and the list trimmed here, with the version bump, and it gets the room's TTL.
 */
const UPDATE_ROOM = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if ARGV[8] ~= '' and redis.call('GET', KEYS[5]) ~= ARGV[8] then return -2 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3], 's', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if #ARGV > 9 then
  redis.call('RPUSH', KEYS[6], unpack(ARGV, 10))
  redis.call('LTRIM', KEYS[6], -tonumber(ARGV[9]), -1)
end
redis.call('PEXPIRE', KEYS[6], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
if KEYS[3] ~= KEYS[4] then redis.call('ZREM', KEYS[4], ARGV[7]) end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
return 1`;

/**
 * KEYS: room, all-rooms index, lease, room's chat. ARGV: code, server index key prefix, deletion
 * channel, message. The announcement is published in the same step, so no server can miss a
 * deletion it must report. Changed (issue 18): the room's chat list (KEYS[4]) goes with it.
 */
const DELETE_ROOM = `
local s = redis.call('HGET', KEYS[1], 's')
if not s then return 0 end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[3] .. ':epoch', KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', ARGV[2] .. s, ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/**
 * Leases hold "<serverId>#<epoch>": the epoch goes up by one each time the lease changes hands, so
 * the value is a fencing token — a server paused while its lease passed to another (and perhaps back)
 * holds a token that no longer matches, and its owner writes are refused (UPDATE_ROOM).
 */
const OWNER = `
local function owner(value)
  if not value then return nil end
  return string.match(value, '^(.*)#%d+$')
end
`;

/** KEYS: lease. ARGV: serverId, leaseMs. Takes a free lease or renews our own; returns the token or nil. */
const CLAIM_ROOM = `${OWNER}
local value = redis.call('GET', KEYS[1])
if value and owner(value) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return value end
if value then return nil end
local token = ARGV[1] .. '#' .. redis.call('INCR', KEYS[1] .. ':epoch')
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token`;

/** KEYS: lease. ARGV: serverId, leaseMs. Takes the lease whoever holds it; returns the new token. */
const TAKE_ROOM = `
local token = ARGV[1] .. '#' .. redis.call('INCR', KEYS[1] .. ':epoch')
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token`;

/**
 * KEYS: leases. ARGV: serverId, leaseMs, room key prefix, all-rooms index, server index prefix,
 * deletion channel, then the codes (in KEYS' order). Returns per key: 1 renewed, 0 lost, -1 the room
 * expired (its TTL ran out): then its lease, epoch and index entries are removed and its deletion is
 * announced here, in the same step, so expiry releases everything in one place.
 * Changed (issue 18): an expired room's chat list (room key .. ':chat') is deleted too; it has the
 * room's TTL, so this only ends what would expire with it anyway.
 */
const RENEW_ROOMS = `${OWNER}
local result = {}
for i, key in ipairs(KEYS) do
  local code = ARGV[6 + i]
  if redis.call('EXISTS', ARGV[3] .. code) == 0 then
    redis.call('DEL', key, key .. ':epoch', ARGV[3] .. code .. ':chat')
    redis.call('ZREM', ARGV[4], code)
    redis.call('ZREM', ARGV[5] .. ARGV[1], code)
    redis.call('PUBLISH', ARGV[6], cjson.encode({ code = code, reason = 'expired' }))
    result[i] = -1
  elseif owner(redis.call('GET', key)) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result`;

/** KEYS: lease. ARGV: serverId. Deletes the lease only if it is ours. */
const RELEASE_ROOM = `${OWNER}
if owner(redis.call('GET', KEYS[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Server liveness on Redis' clock, not each server's: a server's heartbeat expiry and "now" are both
 * read from TIME here, so a server with a slow or stepped clock is neither kept alive nor killed by
 * it. KEYS: servers. ARGV: serverId, ttlMs. Returns 1 when this server's previous heartbeat had
 * expired (others may have counted it dead and freed its players' seats), else 0.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local previous = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
if previous and tonumber(previous) < now then return 1 end
return 0`;

/** KEYS: servers. Servers whose heartbeat has not expired, on Redis' clock. */
const LIVE_SERVERS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')`;

export interface StoreCommands {
  gbCreateRoom(...args: Array<string | number>): Promise<number>;
  gbUpdateRoom(...args: Array<string | number>): Promise<number>;
  gbDeleteRoom(...args: Array<string | number>): Promise<number>;
  gbClaimRoom(...args: Array<string | number>): Promise<string | null>;
  gbTakeRoom(...args: Array<string | number>): Promise<string>;
  gbHeartbeat(...args: Array<string | number>): Promise<number>;
  gbLiveServers(...args: Array<string | number>): Promise<string[]>;
  gbRenewRooms(numberOfKeys: number, ...args: Array<string | number>): Promise<number[]>;
  gbReleaseRoom(...args: Array<string | number>): Promise<number>;
}

export type StoreClient = Redis & StoreCommands;

/** Registers the scripts on a client (ioredis sends them by SHA and reloads them after a restart). */
export function withStoreScripts(client: Redis): StoreClient {
  client.defineCommand('gbCreateRoom', { numberOfKeys: 4, lua: CREATE_ROOM });
  client.defineCommand('gbUpdateRoom', { numberOfKeys: 6, lua: UPDATE_ROOM });
  client.defineCommand('gbDeleteRoom', { numberOfKeys: 4, lua: DELETE_ROOM });
  client.defineCommand('gbClaimRoom', { numberOfKeys: 1, lua: CLAIM_ROOM });
  client.defineCommand('gbTakeRoom', { numberOfKeys: 1, lua: TAKE_ROOM });
  client.defineCommand('gbHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  client.defineCommand('gbLiveServers', { numberOfKeys: 1, lua: LIVE_SERVERS });
  client.defineCommand('gbRenewRooms', { lua: RENEW_ROOMS });
  client.defineCommand('gbReleaseRoom', { numberOfKeys: 1, lua: RELEASE_ROOM });
  return client as StoreClient;
}
