import { afterEach, describe, expect, it } from '@jest/globals';
import { susd } from '../../src/susd/index.js';
import { GameHarness } from '@gamebuddies/rooms/testing';

let harness: GameHarness;
afterEach(() => harness.close());

const rejected = (code: string) => ({ code });
const WORDS = ['xylophone', 'quokka', 'zeppelin', 'kumquat', 'fjord'];

interface Table {
  ids: string[];
  impostor: string;
  crew: string[];
  word: string;
}

/** Four players (the host plays too), one hint round; who is who is read from each player's own view. */
async function started(settings: Record<string, unknown> = {}): Promise<Table> {
  harness = new GameHarness(susd);
  const ids = await harness.setup(['Host', 'Ann', 'Bob', 'Cat'], { rounds: 1, words: WORDS, ...settings });
  await harness.act(ids[0]!, { type: 'start' });
  const views = await Promise.all(ids.map((id) => harness.game(id)));
  const impostor = ids[views.findIndex((v) => v.role === 'impostor')]!;
  const crew = ids.filter((id) => id !== impostor);
  return { ids, impostor, crew, word: (await harness.game(crew[0]!)).word };
}

/** Everyone gives a hint in turn order (the crew never says the word). */
async function hintRound(hint = (id: string) => `hint${id.slice(0, 4).replace(/[^a-z]/gi, 'x')}`) {
  for (;;) {
    const view = await harness.game((await harness.room()).players[0]!.id);
    if (view.stage !== 'hints') return;
    await harness.act(view.turn, { type: 'hint', word: hint(view.turn) });
  }
}

async function voteAll(target: (voter: string) => string, voters: string[]) {
  for (const voter of voters) await harness.act(voter, { type: 'vote', playerId: target(voter) });
}

describe("SUS'D impostor word game", () => {
  it('tells the word to everyone but the impostor and the impostor to nobody', async () => {
    const { ids, impostor, crew, word } = await started();
    expect(WORDS).toContain(word);
    expect(ids.filter((id) => id === impostor)).toHaveLength(1);
    const impostorView = await harness.game(impostor);
    expect(impostorView).toMatchObject({ role: 'impostor', word: null, impostor: null });
    // The word list itself is public (settings); which word was drawn is not.
    expect(JSON.stringify((await harness.view(impostor)).game)).not.toContain(word);
    const crewViews = [];
    for (const id of crew) {
      const view = await harness.game(id);
      expect(view).toMatchObject({ role: 'crew', word, impostor: null });
      crewViews.push(JSON.stringify({ ...view, myVote: null }));
    }
    // Crew members see exactly the same game: nothing in it points at the impostor.
    expect(new Set(crewViews).size).toBe(1);
    // A late joiner watches without the word.
    const late = (await harness.service.join(harness.code, { name: 'Late', connectionId: 'late' })).player.id;
    expect(await harness.game(late)).toMatchObject({ role: 'spectator', word: null });
    expect(JSON.stringify((await harness.view(late)).game)).not.toContain(word);
  });

  it('takes one-word hints in turn and rejects hints out of turn, multi-word, or giving the word away', async () => {
    const { impostor, crew, word } = await started();
    const first = (await harness.game(impostor)).turn as string;
    const other = [impostor, ...crew].find((id) => id !== first)!;
    await expect(harness.act(other, { type: 'hint', word: 'early' })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    // The refusal is written for the player, not as a schema path.
    await expect(harness.act(first, { type: 'hint', word: 'two words' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
      message: 'A hint is a single word.',
    });
    await harness.act(first, { type: 'hint', word: 'shiny' });
    let view = await harness.game(other);
    expect(view.hints).toEqual([{ round: 1, playerId: first, word: 'shiny' }]);
    expect(view.turn).not.toBe(first);
    // A player who knows the word may not say it (the impostor, who does not, is never refused).
    if (view.turn === impostor) await harness.act(impostor, { type: 'hint', word: 'glowing' });
    view = await harness.game(other);
    expect(crew).toContain(view.turn);
    await expect(harness.act(view.turn, { type: 'hint', word: word.toUpperCase() })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    // A player whose time runs out gives no hint.
    const slow = view.turn as string;
    await harness.fireTimer('hint');
    view = await harness.game(other);
    expect(view.hints.at(-1)).toEqual({ round: 1, playerId: slow, word: null });
  });

  it('lets the caught impostor win by guessing the word', async () => {
    const { impostor, crew, word } = await started();
    await hintRound();
    expect((await harness.game(impostor)).stage).toBe('vote');
    await voteAll(() => impostor, crew);
    await harness.act(impostor, { type: 'vote', playerId: crew[0]! });
    const view = await harness.game(crew[1]!);
    expect(view).toMatchObject({ stage: 'guess', impostor });
    expect(await harness.timers()).toEqual(['game:guess']);
    await expect(harness.act(crew[0]!, { type: 'guess', word })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await harness.act(impostor, { type: 'guess', word: ` ${word.toUpperCase()} ` });
    const room = await harness.room();
    expect(room.results).toMatchObject({
      impostor,
      word,
      winners: [impostor],
      caught: true,
      reason: 'guessed',
    });
  });

  it('gives the crew the win when the caught impostor guesses wrong or runs out of time', async () => {
    const { impostor, crew } = await started();
    await hintRound();
    await voteAll(() => impostor, crew);
    await harness.act(impostor, { type: 'vote', playerId: crew[0]! });
    await harness.fireTimer('guess');
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    expect(room.results).toMatchObject({ caught: true, reason: 'wrong_guess', guess: null });
    expect(new Set((room.results as { winners: string[] }).winners)).toEqual(new Set(crew));
  });

  it('lets the impostor win when the vote misses them or ties', async () => {
    const { impostor, crew } = await started();
    await hintRound();
    // Two for the impostor, two for a crew member: a tie catches nobody.
    await harness.act(crew[0]!, { type: 'vote', playerId: impostor });
    await harness.act(crew[1]!, { type: 'vote', playerId: impostor });
    await harness.act(crew[2]!, { type: 'vote', playerId: crew[0]! });
    // Votes stay secret until the vote is over.
    expect((await harness.game(impostor)).votes).toBeNull();
    await harness.act(impostor, { type: 'vote', playerId: crew[0]! });
    const room = await harness.room();
    expect(room.results).toMatchObject({ winners: [impostor], caught: false, reason: 'not_caught' });
  });

  it('rejects self votes, double votes, votes for strangers and early guesses', async () => {
    const { impostor, crew, word } = await started();
    await expect(harness.act(impostor, { type: 'guess', word })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(crew[0]!, { type: 'vote', playerId: impostor })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await hintRound();
    await expect(harness.act(crew[0]!, { type: 'vote', playerId: crew[0]! })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(crew[0]!, { type: 'vote', playerId: 'nobody' })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await harness.act(crew[0]!, { type: 'vote', playerId: crew[1]! });
    // The same vote again (a double click) changes nothing and says nothing.
    const voted = (await harness.room()).version;
    await harness.act(crew[0]!, { type: 'vote', playerId: crew[1]! });
    expect((await harness.room()).version).toBe(voted);
    await expect(harness.act(crew[0]!, { type: 'vote', playerId: impostor })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(crew[1]!, { type: 'start' })).rejects.toMatchObject(rejected('NOT_HOST'));
  });

  it('ends when the impostor leaves, and needs three players', async () => {
    const { impostor, crew } = await started();
    await harness.service.leave(harness.code, impostor);
    const results = (await harness.room()).results as { winners: string[]; reason: string };
    expect(results.reason).toBe('impostor_left');
    expect(new Set(results.winners)).toEqual(new Set(crew));

    await harness.close();
    harness = new GameHarness(susd);
    const [host] = await harness.setup(['Host', 'Ann']);
    await expect(harness.act(host!, { type: 'start' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    await expect(
      harness.service.updateSettings(harness.code, host!, { words: ['a', 'b'] }),
    ).rejects.toMatchObject(rejected('INVALID_SETTINGS'));
  });
});
