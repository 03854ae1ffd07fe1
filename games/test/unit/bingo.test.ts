import { afterEach, describe, expect, it } from '@jest/globals';
import { bingo } from '../../src/bingo/index.js';
import { GameHarness } from '@gamebuddies/rooms/testing';

let harness: GameHarness;
afterEach(() => harness.close());

const rejected = (code: string) => ({ code });
type Cell = number | string | null;
const WORDS = Array.from({ length: 30 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`);

async function started(settings: Record<string, unknown> = {}, names = ['Host', 'Ann', 'Bob']) {
  harness = new GameHarness(bingo);
  const ids = await harness.setup(names, settings);
  await harness.act(ids[0]!, { type: 'start' });
  return ids;
}

/** The host draws until every value of `cells` on `card` is out. */
async function drawUntil(host: string, card: Cell[], cells: number[]) {
  for (let i = 0; i < 80; i++) {
    const drawn = (await harness.game(host)).drawn as Cell[];
    if (cells.every((c) => card[c] === null || drawn.includes(card[c]!))) return;
    await harness.act(host, { type: 'draw' });
  }
  throw new Error('the values never came out');
}

describe('BingoBuddies', () => {
  it('deals every player a distinct classic card that only they can see', async () => {
    const ids = await started();
    const cards: Cell[][] = [];
    for (const id of ids) {
      const view = await harness.game(id);
      const card = view.card as Cell[];
      expect(card).toHaveLength(25);
      expect(card[12]).toBeNull(); // free centre
      card.forEach((value, i) => {
        if (value === null) return;
        const column = i % 5;
        expect(value).toBeGreaterThanOrEqual(column * 15 + 1);
        expect(value).toBeLessThanOrEqual(column * 15 + 15);
      });
      expect(new Set(card).size).toBe(25);
      cards.push(card);
    }
    expect(new Set(cards.map((c) => JSON.stringify(c))).size).toBe(ids.length);
    for (const [i, id] of ids.entries()) {
      const json = JSON.stringify(await harness.view(id));
      for (const [j, card] of cards.entries()) {
        if (i !== j) expect(json).not.toContain(JSON.stringify(card));
      }
    }
    // A late joiner watches without a card.
    const late = (await harness.service.join(harness.code, { name: 'Late', connectionId: 'late' })).player.id;
    expect((await harness.game(late)).card).toBeNull();
    await expect(harness.act(late, { type: 'claim' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
  });

  it('draws on its timer, lets players mark only what was drawn, and crowns a verified line', async () => {
    const [host, ann, bob] = await started();
    expect(await harness.timers()).toEqual(['game:draw']);
    await harness.fireTimer('draw');
    let view = await harness.game(ann!);
    expect(view.drawn).toHaveLength(1);
    expect(view.left).toBe(74);

    const card = view.card as Cell[];
    const undrawn = card.findIndex((v) => v !== null && !view.drawn.includes(v));
    await expect(harness.act(ann!, { type: 'mark', cell: undrawn })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    // A false claim is refused and changes nothing.
    const before = (await harness.room()).version;
    await expect(harness.act(ann!, { type: 'claim' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    expect((await harness.room()).version).toBe(before);

    const row = [10, 11, 12, 13, 14]; // the middle row, free centre included
    await drawUntil(host!, card, row);
    for (const cell of row.filter((c) => c !== 12)) await harness.act(ann!, { type: 'mark', cell });
    view = await harness.game(bob!);
    expect(view.markCounts[ann!]).toBe(4);
    expect(JSON.stringify(view)).not.toContain(JSON.stringify(card));

    await harness.act(ann!, { type: 'unmark', cell: 10 });
    await expect(harness.act(ann!, { type: 'claim' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    await harness.act(ann!, { type: 'mark', cell: 10 });
    await harness.act(ann!, { type: 'claim' });
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    expect(room.results).toEqual({ winners: [ann], lines: { [ann!]: row }, reason: 'bingo' });
    expect(room.timers).toEqual([]);
    // Now that it is over, everyone sees the winning card and its line.
    expect((await harness.game(bob!)).winnerCards).toEqual({ [ann!]: { card, line: row } });
  });

  it('draws once when the host double-clicks "draw" (the second is for a turn already gone)', async () => {
    const [host] = await started();
    const { turn } = await harness.view(host!);
    await harness.act(host!, { type: 'draw', turn });
    await expect(harness.act(host!, { type: 'draw', turn })).rejects.toMatchObject(rejected('STALE_ACTION'));
    expect((await harness.game(host!)).drawn).toHaveLength(1);
    // An action without a turn (a mark names its own cell) is taken whatever happened since.
    await harness.act(host!, { type: 'draw' });
    expect((await harness.game(host!)).drawn).toHaveLength(2);
  });

  it('plays with words from the settings', async () => {
    const [host, ann] = await started({ mode: 'words', words: WORDS, freeCenter: false });
    const card = (await harness.game(ann!)).card as Cell[];
    expect(card.every((w) => typeof w === 'string' && WORDS.includes(w))).toBe(true);
    expect(new Set(card).size).toBe(25);
    const column = [2, 7, 12, 17, 22];
    await drawUntil(host!, card, column);
    for (const cell of column) await harness.act(ann!, { type: 'mark', cell });
    await harness.act(ann!, { type: 'claim' });
    expect((await harness.room()).results).toMatchObject({ winners: [ann], lines: { [ann!]: column } });
  });

  it('ends after the last draw with every card that holds a line', async () => {
    const [host] = await started({ mode: 'words', words: WORDS.slice(0, 25) });
    for (let i = 0; i < 25; i++) await harness.act(host!, { type: 'draw' });
    expect((await harness.game(host!)).left).toBe(0);
    await harness.fireTimer('draw');
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    // Every word was drawn, so every card is full of lines.
    expect((room.results as { winners: string[]; reason: string }).winners).toHaveLength(3);
    expect((room.results as { reason: string }).reason).toBe('all_drawn');
  });

  it('rejects what the rules forbid with typed errors', async () => {
    const [host, ann] = await started();
    await expect(harness.act(ann!, { type: 'draw' })).rejects.toMatchObject(rejected('NOT_HOST'));
    await expect(harness.act(ann!, { type: 'mark', cell: 25 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(ann!, { type: 'mark', cell: 12 })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(host!, { type: 'start' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    await expect(harness.act(ann!, { type: 'shout' })).rejects.toMatchObject(rejected('INVALID_ACTION'));

    await harness.close();
    harness = new GameHarness(bingo);
    await expect(harness.setup(['Host'], { mode: 'words', words: ['a', 'b', 'c'] })).rejects.toMatchObject(
      rejected('INVALID_SETTINGS'),
    );
    // Refusals are written for the host who reads them: the setting's name and what it takes.
    await expect(harness.setup(['Host'], { mode: 'Words' })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      message: 'Mode must be one of: numbers, words.',
    });
    await expect(harness.setup(['Host'], { drawSeconds: 0 })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      message: 'Draw seconds must be at least 1.',
    });
    await expect(harness.setup(['Host'], { drawSeconds: 0 })).rejects.toMatchObject(
      rejected('INVALID_SETTINGS'),
    );
  });
});
