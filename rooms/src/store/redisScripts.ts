import type { RedisClient } from './redisConnection.js';

/**
 * Lua scripts: each runs atomically inside Redis, so a room's hash, its TTL (and on one Redis its indexes) change
 * together or not at all. Keys a script touches are passed as KEYS where the caller knows them.
 */

/**
 * On one Redis a script also writes the room's indexes, so they change with the room. On a Redis
 * Cluster the indexes live in other slots: the caller passes only the room's own keys (all tagged
 * `{CODE}`, one slot) and writes the indexes after the script (RedisRoomStore, docs/state.md).
 * The index keys always come last in KEYS and the last ARGV says how many there are (0 on a
 * cluster), so a new key of the room can be added before them without renumbering.
 */

/**
 * KEYS: room, room's chat [, all-rooms index, server index]. ARGV: code, json, serverId, ttlMs,
 * expiresAt, version, number of index keys (2, or 0 on a cluster). A room starts with no chat list.
 * On a cluster the room remembers (`ix`) the expiry its index entries were given.
 */
const CREATE_ROOM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'v', ARGV[6], 'd', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[7] == '0' then
  redis.call('HSET', KEYS[1], 'ix', ARGV[5])
  return 1
end
local allRooms, serverRooms = KEYS[#KEYS - 1], KEYS[#KEYS]
redis.call('ZADD', allRooms, ARGV[5], ARGV[1])
redis.call('ZADD', serverRooms, ARGV[5], ARGV[1])
return 1`;

/**
 * Compare-and-set on the room version, and for the owner's writes (timers, adoption) on its fencing
 * token too. KEYS: room, lease, room's chat [, all-rooms index, new server index, old server index].
 * ARGV: expected version, new version, json, serverId, ttlMs, expiresAt, code, owner token ('' when
 * any server may write: players' actions), index slack ms (cluster), number of index keys (3, or 0
 * on a cluster), chat lines kept, then the change's chat lines (JSON): they are pushed and the list
 * trimmed here, with the version bump (a chat line costs its own size, not the history's), and the
 * list gets the room's TTL. Returns 1 written, 2 written and
 * the caller must refresh the indexes (cluster: the room moved, or its entries' expiry lags by more
 * than the slack), 0 version moved on (retry), -1 room gone, -2 the token is not the lease's any
 * more (another server took the room; this one must not write).
 */
const UPDATE_ROOM = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if ARGV[8] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[8] then return -2 end
if v ~= ARGV[1] then return 0 end
local moved = redis.call('HGET', KEYS[1], 's') ~= ARGV[4]
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3], 's', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if #ARGV > 11 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 12))
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[11]), -1)
end
redis.call('PEXPIRE', KEYS[3], ARGV[5])
if ARGV[10] == '0' then
  local indexed = tonumber(redis.call('HGET', KEYS[1], 'ix') or '0')
  if not moved and tonumber(ARGV[6]) - indexed <= tonumber(ARGV[9]) then return 1 end
  redis.call('HSET', KEYS[1], 'ix', ARGV[6])
  return 2
end
local allRooms, serverRooms, oldServerRooms = KEYS[#KEYS - 2], KEYS[#KEYS - 1], KEYS[#KEYS]
redis.call('ZADD', allRooms, ARGV[6], ARGV[7])
if serverRooms ~= oldServerRooms then redis.call('ZREM', oldServerRooms, ARGV[7]) end
redis.call('ZADD', serverRooms, ARGV[6], ARGV[7])
return 1`;

/**
 * KEYS: room, lease, lease epoch, room's chat [, all-rooms index]. ARGV: code, server index key prefix, deletion
 * channel, message, number of index keys (1, or 0 on a cluster). Returns the id of the server that held the room (false: already gone).
 * The announcement is published in the same step, so no server can miss a deletion it must report
 * (PUBLISH reaches every node of a cluster).
 */
const DELETE_ROOM = `
local s = redis.call('HGET', KEYS[1], 's')
if not s then return false end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if ARGV[5] ~= '0' then
  redis.call('ZREM', KEYS[#KEYS], ARGV[1])
  redis.call('ZREM', ARGV[2] .. s, ARGV[1])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return s`;

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

/** KEYS: lease, lease epoch. ARGV: serverId, leaseMs. Takes a free lease or renews our own; returns the token or nil. */
const CLAIM_ROOM = `${OWNER}
local value = redis.call('GET', KEYS[1])
if value and owner(value) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return value end
if value then return nil end
local token = ARGV[1] .. '#' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token`;

/** KEYS: lease, lease epoch. ARGV: serverId, leaseMs. Takes the lease whoever holds it; returns the new token. */
const TAKE_ROOM = `
local token = ARGV[1] .. '#' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token`;

/**
 * KEYS: per room its lease, lease epoch, room key and chat list (four each; on a cluster one room per
 * call, so one slot). ARGV: serverId, leaseMs, all-rooms index and this server's index ('' on a cluster: the
 * caller removes the entries), deletion channel, then the codes. Returns per room: 1 renewed, 0
 * lost, -1 the room expired (its TTL ran out): then its lease, epoch and chat list (and on one Redis its index
 * entries) are removed and its deletion is announced here, in the same step, so expiry releases
 * everything in one place.
 */
const RENEW_ROOMS = `${OWNER}
local result = {}
for i = 1, #KEYS / 4 do
  local lease, epoch, room, chat = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
  local code = ARGV[5 + i]
  if redis.call('EXISTS', room) == 0 then
    redis.call('DEL', lease, epoch, chat)
    if ARGV[3] ~= '' then
      redis.call('ZREM', ARGV[3], code)
      redis.call('ZREM', ARGV[4], code)
    end
    redis.call('PUBLISH', ARGV[5], cjson.encode({ code = code, reason = 'expired' }))
    result[i] = -1
  elseif owner(redis.call('GET', lease)) == ARGV[1] then
    redis.call('PEXPIRE', lease, ARGV[2])
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
  /** These three take the number of keys first (fewer on a cluster). */
  gbCreateRoom(...args: Array<string | number>): Promise<number>;
  gbUpdateRoom(...args: Array<string | number>): Promise<number>;
  gbDeleteRoom(...args: Array<string | number>): Promise<string | null>;
  gbClaimRoom(...args: Array<string | number>): Promise<string | null>;
  gbTakeRoom(...args: Array<string | number>): Promise<string>;
  gbHeartbeat(...args: Array<string | number>): Promise<number>;
  gbLiveServers(...args: Array<string | number>): Promise<string[]>;
  gbRenewRooms(numberOfKeys: number, ...args: Array<string | number>): Promise<number[]>;
  gbReleaseRoom(...args: Array<string | number>): Promise<number>;
}

export type StoreClient = RedisClient & StoreCommands;

/** Registers the scripts on a client (ioredis sends them by SHA and reloads them after a restart). */
export function withStoreScripts(client: RedisClient): StoreClient {
  // Without numberOfKeys the caller passes it first: these take fewer keys on a cluster.
  client.defineCommand('gbCreateRoom', { lua: CREATE_ROOM });
  client.defineCommand('gbUpdateRoom', { lua: UPDATE_ROOM });
  client.defineCommand('gbDeleteRoom', { lua: DELETE_ROOM });
  client.defineCommand('gbClaimRoom', { numberOfKeys: 2, lua: CLAIM_ROOM });
  client.defineCommand('gbTakeRoom', { numberOfKeys: 2, lua: TAKE_ROOM });
  client.defineCommand('gbHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  client.defineCommand('gbLiveServers', { numberOfKeys: 1, lua: LIVE_SERVERS });
  client.defineCommand('gbRenewRooms', { lua: RENEW_ROOMS });
  client.defineCommand('gbReleaseRoom', { numberOfKeys: 1, lua: RELEASE_ROOM });
  return client as StoreClient;
}
