import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineGame } from '../../src/plugins/gamePlugin.js';
import { GameHarness } from '../../src/testing/gameHarness.js';

/** A game whose action handler throws a plain error: a bug, not a rule. */
const buggy = defineGame({
  gameType: 'buggy',
  displayName: 'Buggy',
  minPlayers: 1,
  maxPlayers: 4,
  settingsSchema: z.object({}),
  actionSchema: z.object({ type: z.literal('boom') }),
  createState: () => ({ count: 0 }),
  onAction: () => {
    throw new TypeError('cannot read x of undefined');
  },
  view: (state) => state,
});

let harness: GameHarness;
afterEach(() => harness.close());

describe('RoomService', () => {
  it('turns a failing game into INTERNAL and leaves the room as it was', async () => {
    harness = new GameHarness(buggy);
    const [host] = await harness.setup(['Host']);
    const before = await harness.room();
    await expect(harness.act(host!, { type: 'boom' })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await harness.room()).toEqual(before);
  });

  it('stores only hashes of tokens', async () => {
    harness = new GameHarness(buggy);
    const { room, hostToken } = await harness.service.createRoom({ gameType: 'buggy' });
    const joined = await harness.service.join(room.code, { name: 'A', token: hostToken, connectionId: 'c' });
    const stored = JSON.stringify(await harness.store.loadRoom(room.code));
    expect(stored).not.toContain(hostToken);
    expect(stored).not.toContain(joined.sessionToken);
  });

  it('bumps the version once per saved change and not for a change that changes nothing', async () => {
    harness = new GameHarness(buggy);
    const [host] = await harness.setup(['Host']);
    const v = (await harness.room()).version;
    await harness.service.disconnect(harness.code, host!, 'not-the-holder');
    expect((await harness.room()).version).toBe(v);
    await harness.service.chat(harness.code, host!, 'hi');
    expect((await harness.room()).version).toBe(v + 1);
  });

  it('refuses creation past MAX_ROOMS even when requests race', async () => {
    harness = new GameHarness(buggy);
    const service = harness.service as any;
    service.options.maxRooms = 3;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => harness.service.createRoom({ gameType: 'buggy' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as any).reason.code).toBe('NO_CAPACITY');
  });
});
