import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { MemoryRoomStore } from '../../src/store/memoryStore.js';
import { RedisRoomStore } from '../../src/store/redisStore.js';
import { createRedisClient } from '../../src/store/redisConnection.js';
import { createLogger } from '../../src/logger.js';
import type { RoomStore } from '../../src/store/roomStore.js';
import type { PlayerRecord, RoomRecord } from '../../src/room/roomRecord.js';
import { CHAT_HISTORY_LIMIT, type ChatMessage } from '@gamebuddies/protocol';
import { newRoomCode } from '../../src/room/tokens.js';
import { RedisServer } from '../../../test/helpers/redisServer.js';
import { RedisCluster } from '../../../test/helpers/redisCluster.js';
import { sleep, waitUntil } from '../../../test/helpers/wait.js';

function room(overrides: Partial<RoomRecord> = {}): RoomRecord {
  const now = Date.now();
  return {
    code: newRoomCode(),
    gameType: 'rps',
    version: 1,
    createdAt: now,
    updatedAt: now,
    serverId: 'server-a',
    url: 'http://a',
    hostTokenHash: 'ab'.repeat(32),
    hostClaimedBy: null,
    hostId: null,
    hostName: null,
    maxPlayers: 8,
    settings: {},
    phase: 'lobby',
    players: [],
    game: { count: 0 },
    timers: [],
    results: null,
    ...overrides,
  };
}

function player(id: string): PlayerRecord {
  return {
    id,
    name: id,
    role: 'player',
    connected: true,
    joinedAt: 1,
    disconnectedAt: null,
    sessionHash: 'cd'.repeat(32),
    connectionId: `c-${id}`,
    serverId: 'server-a',
  };
}

type StoreFactory = (ttlSeconds: number) => Promise<RoomStore>;

let redis: RedisServer;
let cluster: RedisCluster;
const opened: RoomStore[] = [];
beforeAll(async () => {
  [redis, cluster] = await Promise.all([RedisServer.start(), RedisCluster.start()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

const log = createLogger('silent');
const memory: StoreFactory = async (ttl) => {
  const store = new MemoryRoomStore(ttl);
  opened.push(store);
  return store;
};
/** Each Redis store gets its own key prefix: tests never see each other's rooms. */
const redisFactory = (prefix = `t${randomBytes(4).toString('hex')}:`, onCluster = false): StoreFactory => {
  return async (ttl) => {
    const config = {
      redisUrl: onCluster ? undefined : redis.url,
      redisSentinels: [],
      redisSentinelMaster: 'x',
      redisPassword: undefined,
      redisClusterNodes: onCluster ? cluster.seeds.split(',') : [],
    };
    const store = new RedisRoomStore(
      createRedisClient(config, { name: 'test', failFast: true }),
      () => createRedisClient(config, { name: 'test-sub', failFast: false }),
      { prefix, roomTtlSeconds: ttl },
      log,
    );
    await store.connect();
    opened.push(store);
    return store;
  };
};

describe.each([
  ['memory', () => memory],
  ['redis', () => redisFactory()],
  ['redis cluster', () => redisFactory(undefined, true)],
] as Array<[string, () => StoreFactory]>)('RoomStore contract: %s', (kind, factory) => {
  const onCluster = kind === 'redis cluster';
  let store: RoomStore;
  beforeAll(async () => {
    store = await factory()(3600);
  });

  it('creates a room once per code and hands out copies', async () => {
    const r = room();
    expect(await store.createRoom(r)).toBe('created');
    expect(await store.createRoom(room({ code: r.code, gameType: 'other' }))).toBe('code_taken');
    const loaded = await store.loadRoom(r.code);
    expect(loaded).toEqual({ ...r, chat: [] });
    loaded!.players.push({} as never);
    expect((await store.loadRoom(r.code))!.players).toEqual([]);
    expect(await store.loadRoom('NOSUCH')).toBeNull();
  });

  it('applies a change with a version bump, and writes nothing for a no-op or a rejected change', async () => {
    const r = room();
    await store.createRoom(r);
    const outcome = await store.applyChange(r.code, (draft) => {
      (draft.game as { count: number }).count = 5;
      return 'done';
    });
    expect(outcome).toMatchObject({
      result: 'done',
      changed: true,
      room: { version: 2, game: { count: 5 } },
    });
    expect((await store.applyChange(r.code, () => 'nothing')).changed).toBe(false);
    await expect(
      store.applyChange(r.code, (draft) => {
        draft.phase = 'playing';
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(await store.loadRoom(r.code)).toMatchObject({ version: 2, phase: 'lobby' });
    await expect(store.applyChange('NOSUCH', () => 1)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  const line = (id: string): ChatMessage => ({ id, playerId: 'p', name: 'P', text: `hi ${id}`, at: 1 });
  const say =
    (...ids: string[]) =>
    (_draft: RoomRecord, newChat: ChatMessage[]) => {
      for (const id of ids) newChat.push(line(id));
    };

  it('keeps the last CHAT_HISTORY_LIMIT chat lines beside the room: appended in order, oldest dropped', async () => {
    const r = room();
    await store.createRoom(r);
    for (let i = 0; i < 150; i++) expect((await store.applyChange(r.code, say(`m${i}`))).changed).toBe(true);
    const loaded = (await store.loadRoom(r.code))!;
    expect(loaded.chat).toHaveLength(CHAT_HISTORY_LIMIT);
    expect(loaded.chat.map((m) => m.id)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i + 50}`));
    expect(loaded.version).toBe(151);
    // Several lines in one change, past the limit at once: still the latest 100, in order.
    await store.applyChange(r.code, say(...Array.from({ length: 120 }, (_, i) => `n${i}`)));
    expect((await store.loadRoom(r.code))!.chat.map((m) => m.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => `n${i + 20}`),
    );
  });

  it("hands back the history with a change's room, or only the added lines when asked", async () => {
    const r = room();
    await store.createRoom(r);
    await store.applyChange(r.code, say('a', 'b'));
    const full = await store.applyChange(r.code, say('c'));
    expect(full.room.chat.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    const added = await store.applyChange(r.code, say('d'), { chat: 'added' });
    expect(added.room.chat.map((m) => m.id)).toEqual(['d']);
    const other = await store.applyChange(r.code, (draft) => {
      draft.phase = 'playing';
    });
    expect(other.room.chat.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    const noop = await store.applyChange(r.code, () => undefined);
    expect(noop).toMatchObject({ changed: false, room: { version: 5 } });
    expect(noop.room.chat.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a chat line of any shape as JSON would, and its slot reusable by the next lines', async () => {
    const r = room();
    await store.createRoom(r);
    const odd = [
      { ...line('extra'), reactions: { '👍': ['p2'] } },
      { ...line('nan'), at: Number.NaN },
      { ...line('gone'), name: undefined },
      null,
      // Five fields of the right types, but JSON asks the class's toJSON.
      // Five enumerable keys, but one is not a line's field (the id is not enumerable).
      Object.defineProperty({ ...line('hidden-id'), extra: 1, id: undefined }, 'id', {
        value: 'hidden-id',
        enumerable: false,
      }),
      Object.assign(
        new (class Custom {
          toJSON() {
            return line('as-json');
          }
        })(),
        line('class'),
      ),
    ] as unknown as ChatMessage[];
    await store.applyChange(r.code, (_draft, newChat) => {
      newChat.push(line('plain'), ...odd);
    });
    const asJson = (m: unknown) => JSON.parse(JSON.stringify(m)) as ChatMessage;
    expect((await store.loadRoom(r.code))!.chat).toEqual([line('plain'), ...odd.map(asJson)]);
    // What a caller does to a line once the change is saved does not reach the store.
    const sent = line('sent');
    await store.applyChange(r.code, (_draft, newChat) => {
      newChat.push(sent);
    });
    sent.text = 'edited afterwards';
    expect((await store.loadRoom(r.code))!.chat.at(-1)).toEqual(line('sent'));
    // A full turn of the history later, the odd lines' places hold plain lines again.
    await store.applyChange(r.code, say(...Array.from({ length: CHAT_HISTORY_LIMIT }, (_, i) => `n${i}`)));
    const chat = (await store.loadRoom(r.code))!.chat;
    expect(chat).toEqual(Array.from({ length: CHAT_HISTORY_LIMIT }, (_, i) => line(`n${i}`)));
  });

  /** A stored room with one player and chat line 'a', and the room as read back then. */
  const seatedRoomWithLine = async () => {
    const r = room({ players: [player('p1')] });
    await store.createRoom(r);
    await store.applyChange(r.code, say('a'));
    return { r, before: (await store.loadRoom(r.code))! };
  };

  it('leaves the room and its chat untouched when a change throws after editing the draft', async () => {
    const { r, before } = await seatedRoomWithLine();
    await expect(
      store.applyChange(r.code, (draft, newChat) => {
        draft.players[0]!.connected = false;
        draft.players.push(player('p2'));
        (draft.game as { count: number }).count = 99;
        draft.timers.push({ key: 'seat:p1', fireAt: 1 });
        newChat.push(line('lost'));
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(await store.loadRoom(r.code)).toEqual(before);
    // The next change starts from the stored room, not from what the failed one left behind.
    const next = await store.applyChange(r.code, say('b'));
    expect(next.room).toMatchObject({
      version: before.version + 1,
      players: before.players,
      game: { count: 0 },
    });
    expect(next.room.chat.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('refuses a change whose chat line JSON cannot hold, and writes none of it', async () => {
    const { r, before } = await seatedRoomWithLine();
    await expect(
      store.applyChange(r.code, (draft, newChat) => {
        draft.hostName = 'changed';
        newChat.push(line('fine'), { ...line('big'), at: 1n } as unknown as ChatMessage);
      }),
    ).rejects.toThrow(TypeError);
    expect(await store.loadRoom(r.code)).toEqual(before);
  });

  it('never lets a caller change the stored room through a room it was handed', async () => {
    const r = room({ players: [player('p1')] });
    await store.createRoom(r);
    const outcome = await store.applyChange(r.code, (draft, newChat) => {
      (draft.game as { count: number }).count = 1;
      newChat.push(line('a'));
    });
    const loaded = (await store.loadRoom(r.code))!;
    for (const handed of [outcome.room, loaded]) {
      handed.players[0]!.name = 'Mallory';
      handed.players.length = 0;
      (handed.game as { count: number }).count = 42;
      handed.chat[0]!.text = 'rewritten';
      handed.chat.length = 0;
      handed.version = 1000;
    }
    const stored = (await store.loadRoom(r.code))!;
    expect(stored).toMatchObject({ version: 2, players: [{ id: 'p1', name: 'p1' }], game: { count: 1 } });
    expect(stored.chat).toEqual([line('a')]);
    // Nor through the lines it pushed: they were copied when written.
    const pushed = line('b');
    await store.applyChange(r.code, (_draft, newChat) => newChat.push(pushed));
    pushed.text = 'changed after';
    expect((await store.loadRoom(r.code))!.chat.at(-1)!.text).toBe('hi b');
  });

  it('applies a shallow change that replaces nested values, and never half-applies one that edits them', async () => {
    const r = room({ players: [player('p1')] });
    await store.createRoom(r);
    const first = await store.applyChange(
      r.code,
      (draft, newChat) => {
        draft.phase = 'playing';
        draft.settings = { ...draft.settings, rounds: 5 };
        newChat.push(line('a'));
      },
      { shallow: true, chat: 'added' },
    );
    expect(first.room).toMatchObject({ version: 2, phase: 'playing', settings: { rounds: 5 } });
    const second = await store.applyChange(r.code, (draft) => void (draft.phase = 'lobby'), {
      shallow: true,
    });
    expect(second.room.version).toBe(3);
    // The room handed out by the first change is not the stored room now, nor changed by the second.
    expect(first.room.phase).toBe('playing');
    expect(await store.loadRoom(r.code)).toMatchObject({
      version: 3,
      phase: 'lobby',
      settings: { rounds: 5 },
      players: [{ id: 'p1', name: 'p1' }],
      chat: [line('a')],
    });

    // Editing a nested value in place breaks the option's promise. The memory store shares nested
    // values between versions and refuses the edit; Redis parsed its own draft and applies it whole.
    const broken = store.applyChange(
      r.code,
      (draft) => {
        draft.phase = 'playing';
        draft.players[0]!.name = 'Mallory';
      },
      { shallow: true },
    );
    if (store.kind === 'memory') {
      await expect(broken).rejects.toThrow(TypeError);
      expect(await store.loadRoom(r.code)).toMatchObject({
        version: 3,
        phase: 'lobby',
        players: [{ name: 'p1' }],
      });
    } else {
      await expect(broken).resolves.toMatchObject({ room: { version: 4, players: [{ name: 'Mallory' }] } });
    }
  });

  it('stores what JSON would: a no-op is judged as JSON, values come back as JSON gives them', async () => {
    const r = room();
    await store.createRoom(r);
    const noop = await store.applyChange(r.code, (draft) => {
      (draft.settings as Record<string, unknown>).unset = undefined;
      (draft.game as Record<string, unknown>).fn = () => 1;
    });
    expect(noop.changed).toBe(false);
    await store.applyChange(r.code, (draft) => {
      draft.settings = { when: new Date(0), nan: Number.NaN, list: [undefined, 1] };
    });
    expect((await store.loadRoom(r.code))!.settings).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      nan: null,
      list: [null, 1],
    });
    // A "__proto__" key from JSON text is a key like any other, kept and handed back as such.
    const text = '{"__proto__":{"polluted":true},"a":1}';
    await store.applyChange(r.code, (draft) => {
      draft.game = JSON.parse(text) as unknown;
    });
    const game = (await store.loadRoom(r.code))!.game as Record<string, unknown>;
    expect(JSON.stringify(game)).toBe(text);
    expect(Object.getPrototypeOf(game)).toBe(Object.prototype);
    expect(game.polluted).toBeUndefined();
  });

  it('loses no update when many changes race on one room', async () => {
    const r = room();
    await store.createRoom(r);
    await Promise.all(
      Array.from({ length: 60 }, () =>
        store.applyChange(r.code, (draft) => {
          (draft.game as { count: number }).count += 1;
        }),
      ),
    );
    expect(await store.loadRoom(r.code)).toMatchObject({ version: 61, game: { count: 60 } });
  });

  it('deletes a room, frees its code, and announces the deletion once', async () => {
    const r = room();
    const heard: string[] = [];
    store.onRoomDeleted((code, reason) => heard.push(`${code} ${reason}`));
    await new Promise((resolve) => setTimeout(resolve, 100)); // Redis: the subscription is set up asynchronously
    await store.createRoom(r);
    await store.deleteRoom(r.code, 'expired');
    await store.deleteRoom(r.code); // already gone: nothing to announce
    await waitUntil(() => heard.includes(`${r.code} expired`));
    await sleep(100);
    expect(heard.filter((h) => h.startsWith(r.code))).toEqual([`${r.code} expired`]);
    expect(await store.loadRoom(r.code)).toBeNull();
    expect(await store.listRoomCodes()).not.toContain(r.code);
    expect(await store.createRoom(r)).toBe('created');
  });

  it('lists and counts rooms per server, following a room that moves', async () => {
    const fresh = await factory()(3600);
    const a1 = room({ serverId: 'a' });
    const a2 = room({ serverId: 'a' });
    const b1 = room({ serverId: 'b' });
    for (const r of [a1, a2, b1]) await fresh.createRoom(r);
    expect(await fresh.countRooms('a')).toBe(2);
    expect((await fresh.listRoomCodes('b')).sort()).toEqual([b1.code]);
    expect((await fresh.listRoomCodes()).sort()).toEqual([a1.code, a2.code, b1.code].sort());
    await fresh.applyChange(a2.code, (draft) => {
      draft.serverId = 'b';
    });
    expect(await fresh.countRooms('a')).toBe(1);
    expect(await fresh.countRooms('b')).toBe(2);
    await fresh.deleteRoom(b1.code);
    expect(await fresh.countRooms('b')).toBe(1);
  });

  it('expires a room after its TTL without changes, and a change refreshes the TTL', async () => {
    const short = await factory()(1);
    const idle = room();
    const busy = room();
    await short.createRoom(idle);
    await short.createRoom(busy);
    await sleep(600);
    await short.applyChange(busy.code, say('m'));
    await sleep(600);
    expect(await short.loadRoom(idle.code)).toBeNull();
    expect(await short.loadRoom(busy.code)).not.toBeNull();
    expect(await short.countRooms('server-a')).toBe(1);
    expect(await short.createRoom(room({ code: idle.code }))).toBe('created');
  });

  it("releases an expired room in one step at its runner's renewal: lease, indexes, and a deletion notice", async () => {
    const short = await factory()(1);
    const r = room();
    await short.createRoom(r);
    const deleted: Array<[string, string]> = [];
    short.onRoomDeleted((code, reason) => deleted.push([code, reason]));
    expect(await short.claimRoom(r.code, 'server-a', 60_000)).toBeTruthy();
    expect(await short.renewRooms([r.code], 'server-a', 60_000)).toEqual({ lost: [], expired: [] });
    await sleep(1200);
    expect(await short.renewRooms([r.code], 'server-a', 60_000)).toEqual({ lost: [], expired: [r.code] });
    expect(await short.listRoomCodes()).toEqual([]);
    expect(await short.listRoomCodes('server-a')).toEqual([]);
    expect(await short.claimRoom(r.code, 'server-b', 60_000)).toMatch(/^server-b#/); // the lease was freed
    await waitUntil(() => deleted.length > 0, 2000, 'the deletion notice');
    expect(deleted).toEqual([[r.code, 'expired']]);
  });

  it('grants a room lease to one server at a time until it expires or is released', async () => {
    const r = room();
    await store.createRoom(r);
    const a1 = await store.claimRoom(r.code, 'a', 400);
    expect(a1).toMatch(/^a#\d+$/);
    expect(await store.claimRoom(r.code, 'b', 400)).toBeNull();
    expect(await store.claimRoom(r.code, 'a', 400)).toBe(a1); // renewed: the same token
    expect((await store.renewRooms([r.code], 'b', 400)).lost).toEqual([r.code]);
    expect((await store.renewRooms([r.code], 'a', 400)).lost).toEqual([]);
    await sleep(500);
    const b1 = await store.claimRoom(r.code, 'b', 400);
    expect(b1).toMatch(/^b#\d+$/);
    expect((await store.renewRooms([r.code], 'a', 400)).lost).toEqual([r.code]);
    await store.releaseRoom(r.code, 'a'); // not a's: no effect
    expect(await store.claimRoom(r.code, 'a', 400)).toBeNull();
    await store.releaseRoom(r.code, 'b');
    const a2 = await store.claimRoom(r.code, 'a', 400);
    expect(a2).toMatch(/^a#\d+$/);
    expect(a2).not.toBe(a1); // the lease changed hands twice: a new epoch
  });

  it('lets an orchestrator move a lease: the taker holds it, the old holder loses it at renewal', async () => {
    const r = room();
    await store.createRoom(r);
    expect(await store.claimRoom(r.code, 'a', 5000)).toBeTruthy();
    await store.takeRoom(r.code, 'b', 5000);
    expect((await store.renewRooms([r.code], 'a', 5000)).lost).toEqual([r.code]);
    expect((await store.renewRooms([r.code], 'b', 5000)).lost).toEqual([]);
    expect(await store.claimRoom(r.code, 'a', 5000)).toBeNull();
  });

  it("refuses a runner's write once its lease token is stale, even after the lease came back to it", async () => {
    const r = room();
    await store.createRoom(r);
    const a1 = (await store.claimRoom(r.code, 'a', 5000))!;
    const mark = (label: string) => (_draft: RoomRecord, newChat: ChatMessage[]) => {
      newChat.push({ id: label, playerId: 'x', name: 'x', text: label, at: 0 });
    };
    expect((await store.applyChange(r.code, mark('a1'), { ownerToken: a1 })).changed).toBe(true);
    const b1 = await store.takeRoom(r.code, 'b', 5000); // a is paused meanwhile
    await expect(store.applyChange(r.code, mark('stale'), { ownerToken: a1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      data: { reason: 'NOT_OWNER' },
    });
    await store.applyChange(r.code, mark('b1'), { ownerToken: b1 });
    const a2 = await store.takeRoom(r.code, 'a', 5000); // and back to a: a1 is still stale
    await expect(store.applyChange(r.code, mark('stale'), { ownerToken: a1 })).rejects.toMatchObject({
      data: { reason: 'NOT_OWNER' },
    });
    await store.applyChange(r.code, mark('a2'), { ownerToken: a2 });
    await store.applyChange(r.code, mark('anyone')); // players' actions need no token
    const stored = (await store.loadRoom(r.code))!;
    expect(stored.chat.map((m) => m.text)).toEqual(['a1', 'b1', 'a2', 'anyone']);
    expect(stored.version).toBe(r.version + 4);
  });

  it('knows which servers are alive, and tells a server whose heartbeat had lapsed', async () => {
    const fresh = await factory()(3600);
    expect(await fresh.heartbeat('a', 300)).toBe(false);
    expect(await fresh.heartbeat('b', 5000)).toBe(false);
    expect([...(await fresh.liveServers())].sort()).toEqual(['a', 'b']);
    await sleep(400);
    expect([...(await fresh.liveServers())]).toEqual(['b']);
    expect(await fresh.heartbeat('a', 300)).toBe(true); // it was counted dead meanwhile
    expect(await fresh.heartbeat('a', 300)).toBe(false);
    await fresh.retireServer('b');
    expect([...(await fresh.liveServers())]).toEqual(['a']);
  });

  if (kind !== 'memory') {
    it('hands a code to exactly one of two servers creating it at the same moment', async () => {
      const prefix = `race${randomBytes(3).toString('hex')}:`;
      const [one, two] = [
        await redisFactory(prefix, onCluster)(3600),
        await redisFactory(prefix, onCluster)(3600),
      ];
      for (let i = 0; i < 20; i++) {
        const code = newRoomCode();
        const results = await Promise.all([
          one.createRoom(room({ code, serverId: 'one' })),
          two.createRoom(room({ code, serverId: 'two' })),
        ]);
        expect(results.sort()).toEqual(['code_taken', 'created']);
      }
    });

    /** A store on its own prefix, and a plain client to look at its keys. */
    async function inspected(ttl: number) {
      const prefix = `chat${randomBytes(3).toString('hex')}:`;
      const s = await redisFactory(prefix)(ttl);
      const raw = createRedisClient(
        { redisUrl: redis.url, redisSentinels: [], redisSentinelMaster: 'x', redisPassword: undefined },
        { name: 'test-raw', failFast: false },
      );
      opened.push({ close: async () => void raw.disconnect() } as RoomStore);
      await raw.ping();
      return { s, raw, prefix };
    }

    it("keeps a room's chat in a list beside it, with the room's TTL, deleted with the room", async () => {
      const { s, raw, prefix } = await inspected(3600);
      const r = room();
      await s.createRoom(r);
      for (let i = 0; i < 150; i++) await s.applyChange(r.code, say(`m${i}`));
      const chatKey = `${prefix}room:${r.code}:chat`;
      expect(await raw.llen(chatKey)).toBe(CHAT_HISTORY_LIMIT);
      expect(JSON.parse((await raw.lindex(chatKey, -1))!)).toEqual(line('m149'));
      // The room's JSON no longer carries the chat.
      expect(await raw.hget(`${prefix}room:${r.code}`, 'd')).not.toContain('"chat"');
      const [roomTtl, chatTtl] = [await raw.pttl(`${prefix}room:${r.code}`), await raw.pttl(chatKey)];
      expect(chatTtl).toBeGreaterThan(3_500_000);
      expect(Math.abs(roomTtl - chatTtl)).toBeLessThan(1000);
      // A rejected change pushes nothing.
      await expect(
        s.applyChange(r.code, (_draft, newChat) => {
          newChat.push(line('lost'));
          throw new Error('rule broken');
        }),
      ).rejects.toThrow('rule broken');
      expect(JSON.parse((await raw.lindex(chatKey, -1))!)).toEqual(line('m149'));
      await s.deleteRoom(r.code);
      expect(await raw.exists(chatKey)).toBe(0);
      // The code is free again and its new room starts with no chat.
      await s.createRoom(r);
      expect((await s.loadRoom(r.code))!.chat).toEqual([]);
    });

    it("lets a room's chat expire with it, and releases it at the runner's renewal", async () => {
      const { s, raw, prefix } = await inspected(1);
      const r = room();
      await s.createRoom(r);
      expect(await s.claimRoom(r.code, 'server-a', 60_000)).toBeTruthy();
      await s.applyChange(r.code, say('a'));
      const chatKey = `${prefix}room:${r.code}:chat`;
      expect(await raw.exists(chatKey)).toBe(1);
      await sleep(1200);
      expect(await raw.exists(chatKey)).toBe(0);
      expect(await s.renewRooms([r.code], 'server-a', 60_000)).toEqual({ lost: [], expired: [r.code] });
      expect(await s.loadRoom(r.code)).toBeNull();
    });

    it('moves the chat of a room stored with it inside its JSON into the list at its first write', async () => {
      const { s, raw, prefix } = await inspected(3600);
      const r = room();
      await s.createRoom(r);
      const roomKey = `${prefix}room:${r.code}`;
      const legacy = { ...r, chat: [line('old1'), line('old2')] };
      await raw.hset(roomKey, 'd', JSON.stringify(legacy));
      expect((await s.loadRoom(r.code))!.chat.map((m) => m.id)).toEqual(['old1', 'old2']);
      expect((await s.applyChange(r.code, () => undefined)).changed).toBe(false);
      const outcome = await s.applyChange(r.code, say('new'));
      expect(outcome.room.chat.map((m) => m.id)).toEqual(['old1', 'old2', 'new']);
      expect(await raw.hget(roomKey, 'd')).not.toContain('"chat"');
      expect((await s.loadRoom(r.code))!.chat.map((m) => m.id)).toEqual(['old1', 'old2', 'new']);
    });

    it('delivers timer announcements to the other servers', async () => {
      const prefix = `ann${randomBytes(3).toString('hex')}:`;
      const [one, two] = [
        await redisFactory(prefix, onCluster)(3600),
        await redisFactory(prefix, onCluster)(3600),
      ];
      const heard: string[] = [];
      two.onTimersAnnounced((code) => heard.push(code));
      // The subscription is set up asynchronously (on a cluster after the client has found the
      // slots), and Pub/Sub keeps nothing for late subscribers: announce until one is heard.
      await waitUntil(
        async () => {
          await one.announceTimers('ABCDEF');
          await sleep(100);
          return heard.includes('ABCDEF');
        },
        10_000,
        'a timer announcement to reach the other server',
      );
    });
  }

  if (onCluster) {
    it("keeps each room's keys in its own slot, and rooms on every master of the cluster", async () => {
      const prefix = `spread${randomBytes(3).toString('hex')}:`;
      const s = await redisFactory(prefix, true)(3600);
      const rooms = Array.from({ length: 30 }, () => room());
      for (const r of rooms) {
        await s.createRoom(r);
        expect(await s.claimRoom(r.code, 'server-a', 5000)).toBeTruthy();
      }
      const raw = cluster.client();
      try {
        const masters = await cluster.masters();
        expect(masters).toHaveLength(3);
        const holders = new Set<number>();
        for (const r of rooms) {
          const keys = [
            `${prefix}room:{${r.code}}`,
            `${prefix}lease:{${r.code}}`,
            `${prefix}lease:{${r.code}}:epoch`,
          ];
          const slots = await Promise.all(keys.map((k) => raw.call('CLUSTER', 'KEYSLOT', k)));
          expect(new Set(slots).size).toBe(1);
          expect(await raw.exists(...keys.slice(0, 1))).toBe(1);
          holders.add((await cluster.masterOf(Number(slots[0]))).port);
        }
        expect(holders.size).toBe(3);
      } finally {
        raw.disconnect();
      }
      expect((await s.listRoomCodes()).sort()).toEqual(rooms.map((r) => r.code).sort());
      expect(await s.countRooms('server-a')).toBe(30);
    });
  }

  if (kind === 'redis') {
    it('refuses with STORE_UNAVAILABLE while Redis is down and recovers by itself', async () => {
      const own = await RedisServer.start();
      const config = {
        redisUrl: own.url,
        redisSentinels: [],
        redisSentinelMaster: 'x',
        redisPassword: undefined,
      };
      const s = new RedisRoomStore(
        createRedisClient(config, { name: 'test', failFast: true }),
        () => createRedisClient(config, { name: 'test-sub', failFast: false }),
        { prefix: 'x:', roomTtlSeconds: 3600 },
        log,
      );
      await s.connect();
      const health: string[] = [];
      s.onHealthChange((h) => health.push(h));
      const r = room();
      await s.createRoom(r);
      await own.kill();
      await waitUntil(() => s.health() === 'unavailable');
      await expect(s.loadRoom(r.code)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(s.applyChange(r.code, () => 1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await own.launch();
      await waitUntil(() => s.health() === 'ok', 10_000);
      expect(await s.loadRoom(r.code)).toEqual({ ...r, chat: [] }); // append-only file: the room survived the restart
      expect(health).toEqual(['unavailable', 'ok']);
      await s.close();
      await own.stop();
    });
  }
});
