import { afterEach, describe, expect, it } from '@jest/globals';
import { ddf } from '../../src/ddf/index.js';
import { GameHarness } from '@gamebuddies/rooms/testing';

let harness: GameHarness;
afterEach(() => harness.close());

const rejected = (code: string) => ({ code });

/** Host (game master) and three contestants, started with one question each per round. */
async function started(settings: Record<string, unknown> = { questionsPerRound: 1 }) {
  harness = new GameHarness(ddf);
  const ids = await harness.setup(['Master', 'Ann', 'Bob', 'Cat'], settings);
  await harness.act(ids[0]!, { type: 'start' });
  return ids as [string, string, string, string];
}

/** The game master judges whoever answers now; returns who that was. */
async function judge(master: string, correct: boolean): Promise<string> {
  const answering = (await harness.game(master)).answering as string;
  await harness.act(master, { type: 'mark', correct });
  return answering;
}

describe('DDF quiz elimination', () => {
  it('is led by the host, who does not play, and needs two contestants', async () => {
    harness = new GameHarness(ddf);
    const [master, ann] = await harness.setup(['Master', 'Ann']);
    await expect(harness.act(master!, { type: 'start' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    const bob = (await harness.service.join(harness.code, { name: 'Bob', connectionId: 'b' })).player.id;
    await expect(harness.act(ann!, { type: 'start' })).rejects.toMatchObject(rejected('NOT_HOST'));
    await harness.act(master!, { type: 'start' });
    const view = await harness.game(ann!);
    expect(view.master).toBe(master);
    expect(view.contestants).toEqual([ann, bob]);
    expect(view.stage).toBe('question');
    expect(await harness.timers()).toEqual(['game:answer']);
  });

  it('shows the answer to the game master only', async () => {
    const [master, ann, bob, cat] = await started();
    const gm = await harness.game(master);
    expect(gm.question.answer).toEqual(expect.any(String));
    await harness.act(master, { type: 'ask', question: 'What is the secret?', answer: 'Quetzalcoatl' });
    expect((await harness.game(master)).question).toEqual({
      text: 'What is the secret?',
      answer: 'Quetzalcoatl',
    });
    for (const viewer of [ann, bob, cat]) {
      expect((await harness.game(viewer)).question).toEqual({ text: 'What is the secret?' });
      expect(JSON.stringify(await harness.view(viewer))).not.toContain('Quetzalcoatl');
    }
    // Once judged the answer is everyone's.
    await harness.act(master, { type: 'mark', correct: false });
    expect((await harness.game(ann)).answers[0]).toMatchObject({ answer: 'Quetzalcoatl', correct: false });
  });

  it('asks everyone in turn, then lets the contestants vote one out, until one is left', async () => {
    const [master, ann, bob, cat] = await started();
    const round1 = [await judge(master, true), await judge(master, false), await judge(master, true)];
    expect(new Set(round1)).toEqual(new Set([ann, bob, cat]));
    let view = await harness.game(ann);
    expect(view.stage).toBe('vote');
    expect(await harness.timers()).toEqual(['game:vote']);

    const wrong = round1[1]!;
    const [x, y] = [ann, bob, cat].filter((id) => id !== wrong) as [string, string];
    await harness.act(x, { type: 'vote', playerId: wrong });
    // A vote stays secret until everyone voted.
    for (const viewer of [master, wrong, y]) {
      const seen = await harness.game(viewer);
      expect(seen.voted).toEqual([x]);
      expect(seen.myVote).toBeNull();
      expect(seen.lastVote).toBeNull();
    }
    await harness.act(y, { type: 'vote', playerId: wrong });
    await harness.act(wrong, { type: 'vote', playerId: x });
    view = await harness.game(master);
    expect(view.stage).toBe('elimination');
    expect(view.lastVote).toMatchObject({
      eliminated: wrong,
      decidedBy: 'votes',
      counts: { [wrong]: 2, [x]: 1 },
    });
    expect(view.alive).toEqual([ann, bob, cat].filter((id) => id !== wrong));

    await harness.act(master, { type: 'next' });
    view = await harness.game(master);
    expect(view).toMatchObject({ stage: 'question', round: 2 });
    // The eliminated contestant is asked nothing and cannot vote.
    expect([view.answering, ...view.upNext]).not.toContain(wrong);
    const judged = [await judge(master, true), await judge(master, true)];
    expect(judged).not.toContain(wrong);
    await expect(harness.act(wrong, { type: 'vote', playerId: x })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    // The final two vote for each other and neither answered wrong: the game master decides.
    await harness.act(x, { type: 'vote', playerId: y });
    await harness.act(y, { type: 'vote', playerId: x });
    view = await harness.game(master);
    expect(view.stage).toBe('tiebreak');
    expect(new Set(view.tied)).toEqual(new Set([x, y]));
    await harness.act(master, { type: 'decide', playerId: y });
    const room = await harness.room();
    expect(room.phase).toBe('finished');
    expect(room.results).toMatchObject({
      winners: [x],
      departed: [
        { playerId: wrong, round: 1, reason: 'voted' },
        { playerId: y, round: 2, reason: 'voted' },
      ],
    });
    expect(room.timers).toEqual([]);
  });

  it('breaks a tie by the most wrong answers before asking the game master', async () => {
    const [master, ann, bob, cat] = await started();
    const order = [await judge(master, false), await judge(master, true), await judge(master, true)];
    const [wrong, b, c] = order as [string, string, string];
    // One vote each: a three-way tie, decided against the one who answered wrong.
    await harness.act(wrong, { type: 'vote', playerId: b });
    await harness.act(b, { type: 'vote', playerId: c });
    await harness.act(c, { type: 'vote', playerId: wrong });
    const view = await harness.game(ann);
    expect(view.lastVote).toMatchObject({ eliminated: wrong, decidedBy: 'wrong_answers' });
    expect([ann, bob, cat]).toContain(wrong);
  });

  it('rejects what the rules forbid with typed errors and leaves the room unchanged', async () => {
    const [master, ann, bob, cat] = await started();
    const before = (await harness.room()).version;
    const answering = (await harness.game(master)).answering as string;
    await expect(harness.act(ann, { type: 'mark', correct: true })).rejects.toMatchObject(
      rejected('NOT_HOST'),
    );
    await expect(harness.act(answering, { type: 'ask', question: 'Mine?' })).rejects.toMatchObject(
      rejected('NOT_HOST'),
    );
    await expect(harness.act(ann, { type: 'vote', playerId: bob })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(master, { type: 'decide', playerId: bob })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(master, { type: 'next' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    await expect(harness.act(master, { type: 'mark', correct: 'yes' })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(master, { type: 'start' })).rejects.toMatchObject(rejected('INVALID_ACTION'));
    expect((await harness.room()).version).toBe(before);

    for (let i = 0; i < 3; i++) await judge(master, true);
    await expect(harness.act(ann, { type: 'vote', playerId: ann })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(ann, { type: 'vote', playerId: master })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await expect(harness.act(master, { type: 'vote', playerId: ann })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
    await harness.act(ann, { type: 'vote', playerId: bob });
    // The same vote again (a double click) changes nothing and is no error; another one is refused.
    const voted = (await harness.room()).version;
    await harness.act(ann, { type: 'vote', playerId: bob });
    expect((await harness.room()).version).toBe(voted);
    await expect(harness.act(ann, { type: 'vote', playerId: cat })).rejects.toMatchObject(
      rejected('INVALID_ACTION'),
    );
  });

  it('counts an answer as wrong when its time runs out, and votes close on their timer', async () => {
    const [master] = await started();
    const slow = (await harness.game(master)).answering as string;
    await harness.fireTimer('answer');
    const view = await harness.game(master);
    expect(view.answers[0]).toMatchObject({ playerId: slow, correct: false, timedOut: true });
    expect(view.stats[slow]).toEqual({ right: 0, wrong: 1 });
    await judge(master, true);
    await judge(master, true);
    await harness.fireTimer('vote'); // nobody voted: the one with a wrong answer goes
    expect((await harness.game(master)).lastVote).toMatchObject({
      eliminated: slow,
      decidedBy: 'wrong_answers',
    });
  });

  it('lets chance decide a tie the game master leaves open', async () => {
    const [master] = await started();
    for (let i = 0; i < 3; i++) await judge(master, true);
    await harness.fireTimer('vote');
    const tied = (await harness.game(master)).tied as string[];
    expect(tied).toHaveLength(3);
    await harness.fireTimer('tiebreak');
    const view = await harness.game(master);
    expect(view.stage).toBe('elimination');
    expect(tied).toContain(view.lastVote.eliminated);
    expect(view.lastVote.decidedBy).toBe('chance');
  });

  it('goes on without a contestant who leaves and hands the game to the next host if the master leaves', async () => {
    const [master, ann, bob, cat] = await started();
    const answering = (await harness.game(master)).answering as string;
    await harness.service.leave(harness.code, answering);
    let view = await harness.game(master);
    expect(view.alive).not.toContain(answering);
    expect(view.answering).not.toBe(answering);
    expect(view.departed).toEqual([{ playerId: answering, round: 1, reason: 'left' }]);

    await harness.service.leave(harness.code, master);
    const room = await harness.room();
    const newMaster = room.hostId!;
    expect([ann, bob, cat]).toContain(newMaster);
    // The new host leads; with them stepping out only one contestant remains, who wins.
    expect(room.phase).toBe('finished');
    view = await harness.game(newMaster);
    expect(view.master).toBe(newMaster);
    expect((room.results as { winners: string[] }).winners).toHaveLength(1);
    expect((room.results as { winners: string[] }).winners).not.toContain(newMaster);
  });

  it('rejects settings out of range', async () => {
    harness = new GameHarness(ddf);
    await expect(harness.setup(['Master'], { answerSeconds: 1 })).rejects.toMatchObject(
      rejected('INVALID_SETTINGS'),
    );
    await expect(harness.setup(['Master'], { questionsPerRound: 9 })).rejects.toMatchObject(
      rejected('INVALID_SETTINGS'),
    );
  });

  it('judges once when the same judgement arrives twice for one turn (a double click)', async () => {
    const [master] = await started();
    const { turn } = await harness.view(master);
    expect(turn).toEqual(expect.any(Number));
    const first = (await harness.game(master)).answering as string;
    await harness.act(master, { type: 'mark', correct: true, turn });
    const after = await harness.room();
    await expect(harness.act(master, { type: 'mark', correct: true, turn })).rejects.toMatchObject(
      rejected('STALE_ACTION'),
    );
    expect((await harness.room()).version).toBe(after.version);
    const view = await harness.game(master);
    expect(view.answers).toHaveLength(1);
    expect(view.answers[0]).toMatchObject({ playerId: first, correct: true });
    // The next contestant has not answered yet: they are still the one answering.
    expect(view.answering).not.toBe(first);
    expect(view.stats[view.answering]).toEqual({ right: 0, wrong: 0 });
  });

  it("gives the game master's own question a fresh countdown", async () => {
    const [master] = await started({ questionsPerRound: 1, answerSeconds: 30 });
    const before = await harness.game(master);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await harness.act(master, { type: 'ask', question: 'Favourite colour of the host?', answer: 'Blue' });
    const after = await harness.game(master);
    expect(after.deadline).toBeGreaterThan(before.deadline);
    // The old question's timer is stale: firing it judges nothing.
    const room = await harness.room();
    expect(room.timers.filter((t) => t.key === 'game:answer')).toHaveLength(1);
  });

  it('tells everyone when a new game master took over', async () => {
    const [master, ann, bob, cat] = await started({ questionsPerRound: 2 });
    await harness.service.leave(harness.code, master);
    const newMaster = (await harness.room()).hostId!;
    for (const viewer of [ann, bob, cat]) {
      expect((await harness.game(viewer)).masterChange).toEqual({ round: 1, from: master, to: newMaster });
    }
  });
});
