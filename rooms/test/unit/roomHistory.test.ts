import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineGame } from '../../src/plugins/gamePlugin.js';
import { ROOM_LOG_KEPT } from '../../src/room/roomRecord.js';
import { GameHarness } from '../../src/testing/gameHarness.js';

const counter = defineGame({
  gameType: 'counter',
  displayName: 'Counter',
  minPlayers: 1,
  maxPlayers: 4,
  settingsSchema: z.object({}),
  actionSchema: z.object({ type: z.literal('add') }),
  createState: () => ({ count: 0 }),
  onAction: (state: { count: number }) => ({ count: state.count + 1 }),
  view: (state) => state,
});

let harness: GameHarness;
afterEach(() => harness.close());

// The room's own history, which the operator's console shows: what happened, with the version
// each change gave the room, and the servers it has been on.
describe('a room remembers what happened to it', () => {
  it('records each change with the version it made, and names people, never tokens', async () => {
    harness = new GameHarness(counter);
    const [host, ann] = await harness.setup(['Host', 'Ann']);
    await harness.service.chat(harness.code, ann!, 'hello');
    const room = await harness.room();
    expect(room.log!.map((e) => [e.version, e.text])).toEqual([
      [1, 'created on test'],
      [2, 'Host joined'],
      [3, 'Ann joined'],
      [4, 'Ann wrote in the chat'],
    ]);
    expect(room.version).toBe(4);
    expect(room.moves).toEqual([expect.objectContaining({ serverId: 'test', reason: 'created' })]);
    expect(host).toBeDefined();
  });

  it('counts game moves on one line and keeps only the latest lines', async () => {
    harness = new GameHarness(counter);
    const [host] = await harness.setup(['Host']);
    for (let i = 0; i < 3; i++) await harness.act(host!, { type: 'add' });
    expect((await harness.room()).log!.at(-1)).toMatchObject({ text: 'state changed ×3', repeat: 3 });
    // A move then a chat line, over and over: each is a line of its own, and the oldest go.
    for (let i = 0; i < ROOM_LOG_KEPT; i++) {
      await harness.act(host!, { type: 'add' });
      await harness.service.chat(harness.code, host!, `line ${i}`);
    }
    const room = await harness.room();
    expect(room.log).toHaveLength(ROOM_LOG_KEPT);
    expect(room.log!.map((e) => e.type)).toEqual(
      Array.from({ length: ROOM_LOG_KEPT }, (_, i) => (i % 2 === 0 ? 'state' : 'chat')),
    );
    expect(room.log!.at(-1)).toMatchObject({ text: 'Host wrote in the chat', version: room.version });
  });

  it('counts chat lines in a row on one line, so talk never pushes out who joined', async () => {
    harness = new GameHarness(counter);
    const [host, ann] = await harness.setup(['Host', 'Ann']);
    for (let i = 0; i < ROOM_LOG_KEPT * 2; i++)
      await harness.service.chat(harness.code, i % 2 === 0 ? host! : ann!, `line ${i}`);
    const room = await harness.room();
    expect(room.log!.map((e) => e.text)).toEqual([
      'created on test',
      'Host joined',
      'Ann joined',
      `${ROOM_LOG_KEPT * 2} chat lines, the latest from Ann`,
    ]);
    expect(room.log!.at(-1)).toMatchObject({
      type: 'chat',
      repeat: ROOM_LOG_KEPT * 2,
      version: room.version,
    });
  });

  it('writes the console actions into the history, then acts', async () => {
    harness = new GameHarness(counter);
    const [, ann, bob] = await harness.setup(['Host', 'Ann', 'Bob']);
    await harness.service.consoleSetHost(harness.code, ann!);
    await harness.service.consoleKick(harness.code, bob!);
    const room = await harness.room();
    expect(room.hostId).toBe(ann);
    expect(room.players.map((p) => [p.name, p.role])).toEqual([
      ['Host', 'player'],
      ['Ann', 'host'],
    ]);
    expect(room.log!.slice(-3).map((e) => e.text)).toEqual([
      'console: passed the host role to Ann',
      'console: kicked Bob',
      'Bob was kicked',
    ]);
    await expect(harness.service.consoleSetHost(harness.code, ann!)).rejects.toMatchObject({
      code: 'INVALID_ACTION',
    });
    await expect(harness.service.consoleKick(harness.code, 'nobody')).rejects.toMatchObject({
      code: 'PLAYER_NOT_FOUND',
    });
    await harness.service.consoleClose(harness.code);
    await expect(harness.room()).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('records a failover among the servers it has been on; a server adopting its own room moves nothing', async () => {
    harness = new GameHarness(counter);
    await harness.setup(['Host']);
    const code = harness.code;
    // Another server's service over the same store adopts the room: first its holder died, then a move.
    const room = await harness.room();
    await harness.store.applyChange(code, (draft) => {
      draft.serverId = 'dead-server';
    });
    await harness.service.adopt(code, new Set(['test']));
    await harness.service.adopt(code, new Set(['test']), { move: true });
    const after = await harness.room();
    expect(after.moves!.map((m) => [m.serverId, m.reason])).toEqual([
      ['test', 'created'],
      ['test', 'failover'],
    ]);
    expect(after.log!.at(-1)!.text).toBe('failed over from dead-server to test');
    expect(room.version).toBeLessThan(after.version);
  });
});
