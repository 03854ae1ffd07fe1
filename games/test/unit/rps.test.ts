import { afterEach, describe, expect, it } from '@jest/globals';
import { rps } from '../../src/rps/index.js';
import { GameHarness } from '@gamebuddies/rooms/testing';

let harness: GameHarness;
afterEach(() => harness.close());

async function started(names = ['Host', 'Bob', 'Cat'], settings: Record<string, unknown> = { rounds: 2 }) {
  harness = new GameHarness(rps);
  const ids = await harness.setup(names, settings);
  await harness.act(ids[0]!, { type: 'start' });
  return ids;
}

describe('Rock Paper Scissors', () => {
  it('needs two connected players and only the host starts', async () => {
    harness = new GameHarness(rps);
    const [host] = await harness.setup(['Host']);
    await expect(harness.act(host!, { type: 'start' })).rejects.toMatchObject({ code: 'INVALID_ACTION' });
    const bob = (await harness.service.join(harness.code, { name: 'Bob', connectionId: 'x' })).player.id;
    await expect(harness.act(bob, { type: 'start' })).rejects.toMatchObject({ code: 'NOT_HOST' });
    await harness.act(host!, { type: 'start' });
    expect((await harness.room()).phase).toBe('playing');
    expect(await harness.timers()).toEqual(['game:round']);
  });

  it('keeps each choice secret from the others until the reveal', async () => {
    const [host, bob, cat] = await started();
    await harness.act(bob!, { type: 'choose', choice: 'scissors' });
    for (const viewer of [host!, cat!]) {
      const view = await harness.game(viewer);
      expect(view.chosen).toEqual([bob]);
      expect(view.myChoice).toBeNull();
      expect(JSON.stringify(await harness.view(viewer))).not.toContain('scissors');
    }
    expect((await harness.game(bob!)).myChoice).toBe('scissors');
  });

  it('scores a point for each pick beaten and moves through the rounds to a result', async () => {
    const [host, bob, cat] = await started();
    await harness.act(host!, { type: 'choose', choice: 'rock' });
    await harness.act(bob!, { type: 'choose', choice: 'scissors' });
    await harness.act(cat!, { type: 'choose', choice: 'scissors' });
    let view = await harness.game(cat!);
    expect(view.stage).toBe('reveal');
    expect(view.lastRound.points).toEqual({ [host!]: 2, [bob!]: 0, [cat!]: 0 });
    expect(await harness.timers()).toEqual(['game:advance']);

    await harness.fireTimer('advance'); // the host did not press next: the timer moves on
    view = await harness.game(cat!);
    expect(view).toMatchObject({ stage: 'choosing', round: 2 });

    await harness.act(host!, { type: 'choose', choice: 'paper' });
    await harness.fireTimer('round'); // Bob and Cat ran out of time
    await harness.act(host!, { type: 'next' });
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    expect(room.results).toEqual({ scores: { [host!]: 2, [bob!]: 0, [cat!]: 0 }, winners: [host] });
    expect(room.timers).toEqual([]);
  });

  it('ignores a stale timer from an earlier round', async () => {
    const [host, bob, cat] = await started();
    const before = await harness.room();
    await harness.act(host!, { type: 'choose', choice: 'rock' });
    await harness.act(bob!, { type: 'choose', choice: 'rock' });
    await harness.act(cat!, { type: 'choose', choice: 'rock' });
    await harness.act(host!, { type: 'next' });
    // A timer armed for round 1 firing now must not end round 2.
    await harness.store.applyChange(harness.code, (draft) => {
      draft.timers.push({ key: 'game:round', fireAt: 0, data: { round: 1 } });
    });
    await harness.service.fireDueTimers(harness.code);
    expect((await harness.game(host!)).stage).toBe('choosing');
    expect(before.version).toBeLessThan((await harness.room()).version);
  });

  it('rejects choices from spectators, twice in a round, or outside a round', async () => {
    const [host, bob] = await started(['Host', 'Bob']);
    const late = (await harness.service.join(harness.code, { name: 'Late', connectionId: 'z' })).player.id;
    await expect(harness.act(late, { type: 'choose', choice: 'rock' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
    });
    await harness.act(bob!, { type: 'choose', choice: 'rock' });
    await expect(harness.act(bob!, { type: 'choose', choice: 'paper' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
    });
    await expect(harness.act(host!, { type: 'next' })).rejects.toMatchObject({ code: 'INVALID_ACTION' });
    await expect(harness.act(host!, { type: 'choose', choice: 'lizard' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
    });
  });

  it('ends the game when a player leaves and only one remains', async () => {
    const [host, bob] = await started(['Host', 'Bob']);
    await harness.service.leave(harness.code, bob!);
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    expect((room.results as any).winners).toEqual([host]);
  });
});
