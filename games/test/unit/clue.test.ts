import { afterEach, describe, expect, it } from '@jest/globals';
import { clue } from '../../src/clue/index.js';
import { pointsFor } from '../../src/clue/rules.js';
import { GameHarness } from '@gamebuddies/rooms/testing';

let harness: GameHarness;
// The scoring test below plays no room.
afterEach(() => harness?.close());

const rejected = (code: string) => ({ code });

async function started(settings: Record<string, unknown> = {}, names = ['Host', 'Ann', 'Bob']) {
  harness = new GameHarness(clue);
  const ids = await harness.setup(names, settings);
  await harness.act(ids[0]!, { type: 'start' });
  return ids;
}

/** The current clue giver and their secret target, read from the giver's own view. */
async function giverAndTarget(ids: string[]): Promise<{ giver: string; target: number }> {
  const giver = (await harness.game(ids[0]!)).giver as string;
  return { giver, target: (await harness.game(giver)).target as number };
}

describe('ClueScale', () => {
  it('scores by distance: 3 on target, 2 one off, 1 two off', () => {
    expect([5, 4, 6, 3, 7, 2, 10].map((g) => pointsFor(g, 5))).toEqual([3, 2, 2, 1, 1, 0, 0]);
  });

  it('shows the target to the clue giver only, and guesses to nobody until the reveal', async () => {
    const ids = await started();
    const { giver, target } = await giverAndTarget(ids);
    expect(target).toBeGreaterThanOrEqual(1);
    expect(target).toBeLessThanOrEqual(10);
    const guessers = ids.filter((id) => id !== giver);
    for (const id of guessers) {
      const view = await harness.game(id);
      expect(view.target).toBeNull();
      expect(view.category).toEqual((await harness.game(giver)).category);
      expect(JSON.stringify(await harness.view(id))).not.toMatch(/"target":\d/);
    }
    await harness.act(giver, { type: 'clue', text: 'a lukewarm bath' });
    await harness.act(guessers[0]!, { type: 'guess', value: 7 });
    for (const id of [giver, guessers[1]!]) {
      const view = await harness.game(id);
      expect(view.guessed).toEqual([guessers[0]]);
      expect(view.myGuess).toBeNull();
    }
    expect((await harness.game(guessers[0]!)).myGuess).toBe(7);
  });

  it('rotates the clue giver and ends with the best score winning', async () => {
    const ids = await started();
    const givers: string[] = [];
    const expected: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
    for (let round = 1; round <= 3; round++) {
      const { giver, target } = await giverAndTarget(ids);
      givers.push(giver);
      await harness.act(giver, { type: 'clue', text: 'something in between' });
      const guessers = ids.filter((id) => id !== giver);
      const values = [target, target <= 5 ? target + 4 : target - 4]; // on target, and too far to score
      for (const [i, id] of guessers.entries()) await harness.act(id, { type: 'guess', value: values[i]! });
      expected[guessers[0]!]! += 3;
      expected[giver]! += 1;
      const view = await harness.game(giver);
      expect(view.stage).toBe('reveal');
      expect(view.lastRound).toMatchObject({ round, giver, target, clue: 'something in between' });
      if (round < 3) await harness.act(ids[0]!, { type: 'next' });
    }
    expect(new Set(givers)).toEqual(new Set(ids));
    await harness.fireTimer('advance');
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    const results = room.results as { scores: Record<string, number>; winners: string[] };
    expect(results.scores).toEqual(expected);
    const best = Math.max(...Object.values(expected));
    expect(new Set(results.winners)).toEqual(new Set(ids.filter((id) => expected[id] === best)));
  });

  it('scores nothing when the clue giver runs out of time, and reveals when guessing time is up', async () => {
    const ids = await started();
    const { giver } = await giverAndTarget(ids);
    await harness.fireTimer('clue');
    let view = await harness.game(ids[0]!);
    expect(view.stage).toBe('reveal');
    expect(view.lastRound).toMatchObject({ giver, clue: null });
    expect(Object.values(view.scores)).toEqual([0, 0, 0]);

    await harness.act(ids[0]!, { type: 'next' });
    const next = await giverAndTarget(ids);
    await harness.act(next.giver, { type: 'clue', text: 'right on it' });
    const guesser = ids.find((id) => id !== next.giver)!;
    await harness.act(guesser, { type: 'guess', value: next.target });
    await harness.fireTimer('guess');
    view = await harness.game(guesser);
    expect(view.stage).toBe('reveal');
    expect(view.lastRound.points[guesser]).toBe(3);
  });

  it('rejects what the rules forbid with typed errors', async () => {
    const ids = await started();
    const { giver } = await giverAndTarget(ids);
    const guesser = ids.find((id) => id !== giver)!;
    await expect(harness.act(guesser, { type: 'clue', text: 'mine' })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(guesser, { type: 'guess', value: 5 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(giver, { type: 'clue', text: 'about 7' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
      message: 'A clue must not contain numbers.',
    });
    await harness.act(giver, { type: 'clue', text: 'warm' });
    await expect(harness.act(giver, { type: 'guess', value: 5 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(guesser, { type: 'guess', value: 11 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await harness.act(guesser, { type: 'guess', value: 4 });
    const guessed = (await harness.room()).version;
    await harness.act(guesser, { type: 'guess', value: 4 }); // a double tap: no change, no error
    expect((await harness.room()).version).toBe(guessed);
    await expect(harness.act(guesser, { type: 'guess', value: 5 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    const nonHost = ids.slice(1).find((id) => id !== giver)!;
    await expect(harness.act(nonHost, { type: 'next' })).rejects.toMatchObject(rejected('NOT_HOST'));
  });

  it('ends the round unscored when the clue giver leaves, and the game when one player is left', async () => {
    const ids = await started({}, ['Host', 'Ann', 'Bob', 'Cat']);
    const { giver } = await giverAndTarget(ids);
    const stay = ids.filter((id) => id !== giver);
    await harness.service.leave(harness.code, giver);
    const view = await harness.game(stay[0]!);
    expect(view.stage).toBe('reveal');
    expect(view.lastRound).toMatchObject({ giver, clue: null });
    expect(view.players).not.toContain(giver);
    await harness.service.leave(harness.code, stay[1]!);
    await harness.service.leave(harness.code, stay[2]!);
    expect((await harness.room()).phase).toBe('finished');
  });
});
