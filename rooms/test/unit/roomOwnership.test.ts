import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { z } from 'zod';
import { AppError } from '@gamebuddies/protocol';
import { defineGame } from '../../src/plugins/gamePlugin.js';
import { GameRegistry } from '../../src/plugins/registry.js';
import { MemoryRoomStore } from '../../src/store/memoryStore.js';
import type { RoomStore } from '../../src/store/roomStore.js';
import { RoomService } from '../../src/service/roomService.js';
import { RoomOwnership } from '../../src/ownership/roomOwnership.js';
import { RoomTimerScheduler } from '../../src/ownership/timerScheduler.js';
import { createLogger } from '../../src/logger.js';

const LEASE_MS = 900;
const GRACE_MS = 2000;
const log = createLogger('silent');

const lobby = defineGame({
  gameType: 'lobby',
  displayName: 'Lobby',
  minPlayers: 1,
  maxPlayers: 4,
  settingsSchema: z.object({}),
  actionSchema: z.object({ type: z.literal('noop') }),
  createState: () => ({}),
  onAction: (state) => state,
  view: (state) => state,
});

/**
 * The shared store as one server sees it; `blip` makes its heartbeat and lease calls fail, as a
 * Redis connection that stalls for that server would (the store itself, and the others, carry on).
 */
function seenBy(store: RoomStore): { store: RoomStore; blip: boolean } {
  const view = { blip: false, store };
  view.store = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (view.blip && ['heartbeat', 'renewRooms', 'liveServers', 'claimRoom'].includes(String(key)))
        return () => Promise.reject(new AppError('STORE_UNAVAILABLE', 'blip'));
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return view;
}

function server(id: string, store: RoomStore) {
  const service = new RoomService(
    store,
    new GameRegistry([lobby]),
    { serverId: id, publicUrl: `http://${id}`, maxRooms: 10, reconnectGraceMs: GRACE_MS },
    log,
  );
  const scheduler: RoomTimerScheduler = new RoomTimerScheduler(async (code) => {
    const token = ownership.tokenOf(code);
    return token === undefined ? null : service.fireDueTimers(code, token);
  }, log);
  const ownership: RoomOwnership = new RoomOwnership(
    store,
    service,
    scheduler,
    { serverId: id, leaseMs: LEASE_MS },
    log,
  );
  service.onUpdate(ownership.onUpdate);
  return { service, scheduler, ownership };
}

const stores: MemoryRoomStore[] = [];
beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(async () => {
  jest.useRealTimers();
  for (const s of stores.splice(0)) await s.close();
});

describe('RoomOwnership', () => {
  it('gives back the seats of a server whose heartbeat lapsed once it recovers: nobody is removed', async () => {
    const shared = new MemoryRoomStore(3600);
    stores.push(shared);
    const viewA = seenBy(shared);
    const a = server('a', viewA.store);
    const b = server('b', shared);
    await a.ownership.start();
    await b.ownership.start();

    const { room, hostToken } = await a.service.createRoom({ gameType: 'lobby' });
    const host = await a.service.join(room.code, { name: 'Host', token: hostToken, connectionId: 'ca' });
    a.ownership.playerConnected(room.code, { playerId: host.player.id, connectionId: 'ca' });
    const guest = await b.service.join(room.code, { name: 'Guest', connectionId: 'cb' });
    b.ownership.playerConnected(room.code, { playerId: guest.player.id, connectionId: 'cb' });
    await jest.advanceTimersByTimeAsync(LEASE_MS);
    expect(a.ownership.ownedRooms.has(room.code)).toBe(true);

    viewA.blip = true; // a's store calls fail for twice the lease: b counts it dead and takes the room
    await jest.advanceTimersByTimeAsync(2 * LEASE_MS);
    expect(b.ownership.ownedRooms.has(room.code)).toBe(true);
    const during = (await shared.loadRoom(room.code))!;
    expect(during.players.find((p) => p.id === host.player.id)?.connected).toBe(false);

    viewA.blip = false;
    await jest.advanceTimersByTimeAsync(GRACE_MS + 2 * LEASE_MS); // past the reconnect window
    const after = (await shared.loadRoom(room.code))!;
    expect(after.players.map((p) => [p.name, p.connected])).toEqual([
      ['Host', true],
      ['Guest', true],
    ]);
    expect(after.players.find((p) => p.id === host.player.id)?.connectionId).toBe('ca');
    expect(after.timers).toEqual([]); // no reconnect timer left to free the seat later
    expect(a.ownership.ownedRooms.has(room.code)).toBe(false); // b runs it now; a let go
    await a.ownership.stop();
    await b.ownership.stop();
  });

  it("a server that lost the lease cannot fire the room's timers with its old token", async () => {
    const shared = new MemoryRoomStore(3600);
    stores.push(shared);
    const a = server('a', shared);
    const { room } = await a.service.createRoom({ gameType: 'lobby' });
    const token = (await shared.claimRoom(room.code, 'a', LEASE_MS))!;
    await shared.takeRoom(room.code, 'b', LEASE_MS); // while a was paused
    await expect(a.service.fireDueTimers(room.code, token)).rejects.toMatchObject({
      data: { reason: 'NOT_OWNER' },
    });
  });
});
