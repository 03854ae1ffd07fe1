import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { BrowserPlayer, buildWeb, DESKTOP, launchBrowser, PHONE } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitUntil } from '../helpers/wait.js';

// A host and players, each in their own browser context, play one full game of each GameBuddies
// game through the real page against a real server: the host on a desktop, the others on phones, one
// of them in dark mode. Every screen is reviewed (`review`): screenshots on a phone and a desktop,
// light and dark, in test-artifacts/browser/, and an axe-core pass with no serious or critical
// violation.

let server: TestServer;
let browser: Browser;
const open: BrowserPlayer[] = [];

beforeAll(async () => {
  const webRoot = await buildWeb();
  server = await startTestServer({ ACTION_RATE_PER_SEC: '200', ACTION_BURST: '400' }, { webRoot });
  browser = await launchBrowser();
}, 120_000);

afterEach(async () => {
  for (const player of open) expect(player.errors).toEqual([]);
  await Promise.all(open.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function person(name: string, viewport = PHONE, colorScheme: 'light' | 'dark' = 'light') {
  const player = await BrowserPlayer.open(browser, name, viewport, colorScheme);
  open.push(player);
  return player;
}

/** The host creates the room on the home page, sets short timers, and the others join by link. */
async function table(gameType: string, names: string[], settings: Record<string, number>) {
  const host = await person(names[0]!, DESKTOP);
  await host.page.goto(`${server.url}/`);
  await host.page.getByLabel('Game').selectOption(gameType);
  await host.page.getByLabel('Your name').fill(host.name);
  await host.page.getByRole('button', { name: 'Create room' }).click();
  // The host link goes through /r/:code to the room page, which seats the host under the name
  // given at creation: nobody types their name twice.
  await host.waitForStatus('connected');
  const code = (await host.page.getByTestId('room-code').textContent())!;
  expect(host.page.url()).not.toContain('token='); // the host token left the address bar
  await host.waitForText(host.page.getByTestId('players'), new RegExp(`${names[0]} \\(you\\)host`));

  const players: BrowserPlayer[] = [];
  for (const [i, name] of names.slice(1).entries()) {
    // The last one plays in dark mode.
    const player = await person(name, PHONE, i === names.length - 2 ? 'dark' : 'light');
    await player.join(`${server.url}/?room=${code}&role=player`);
    players.push(player);
  }
  await host.waitForText(host.page.getByTestId('players'), new RegExp(names.at(-1)!));

  await host.page.getByText('Settings', { exact: true }).click();
  await host.review(`${gameType}-lobby-settings`);
  for (const [key, value] of Object.entries(settings)) {
    await host.page.locator(`[name="setting-${key}"]`).fill(String(value));
  }
  await host.page.getByTestId('save-settings').click();
  await waitUntil(async () => {
    const room = await server.server.service.getRoom(code);
    return Object.entries(settings).every(([k, v]) => room.settings[k] === v);
  });
  await host.waitForText(host.page.getByTestId('settings-saved'), /Saved/);
  await players[0]!.review(`${gameType}-lobby-player`);
  return { host, players, code, all: [host, ...players] };
}

async function expectWinner(everyone: BrowserPlayer[], pattern: RegExp) {
  for (const p of everyone) await p.waitForText(p.page.getByTestId('winner'), pattern);
}

describe('the four GameBuddies games in a browser', () => {
  it('DDF: the game master judges answers, contestants vote, the last one standing wins', async () => {
    const { host, players, all } = await table('ddf', ['Master', 'Ann', 'Bob', 'Cat'], {
      questionsPerRound: 1,
      answerSeconds: 60,
      voteSeconds: 60,
      revealSeconds: 60,
    });
    const [ann, bob, cat] = players as [BrowserPlayer, BrowserPlayer, BrowserPlayer];
    // Two contestants turn their cameras on; video flows browser to browser, signalled through the server.
    await ann.page.getByTestId('camera').click();
    await bob.page.getByTestId('camera').click();
    await ann.waitForText(
      ann.page.locator('.tile[data-state="connected"]').filter({ hasText: 'Bob' }),
      /Bob/,
      20_000,
    );
    await host.waitForText(
      host.page.locator('.tile[data-state="connected"]').filter({ hasText: 'Ann' }),
      /Ann/,
      20_000,
    );

    await host.page.getByTestId('start').click();
    const judgements: Record<string, boolean> = { Ann: true, Bob: false, Cat: true };
    for (let i = 0; i < 3; i++) {
      const line = await host.waitForText(host.game(), new RegExp(`Round 1: \\w+ answers`));
      const answering = /Round 1: (\w+) answers/.exec(line)![1]!;
      const answer = (await host.game().locator('.answer strong').textContent())!;
      for (const p of players) {
        await p.waitForText(p.page.getByTestId('question'), /\?/);
        expect(await p.gameText()).not.toContain(answer);
      }
      if (i === 0) await Promise.all([host.review('ddf-master-question'), ann.review('ddf-player-question')]);
      await judged(host, () => host.button(judgements[answering] ? /Right/ : /Wrong/).click());
    }

    for (const p of players) await p.waitForText(p.game(), /who should leave/);
    await Promise.all([host.review('ddf-master-vote'), cat.review('ddf-player-vote')]);
    await ann.button('Vote Bob').click();
    await cat.button('Vote Bob').click();
    await bob.button('Vote Ann').click();
    for (const p of all) await p.waitForText(p.page.getByTestId('eliminated'), /Bob is out: by the votes/);
    await host.review('ddf-elimination');
    await host.button('Next round').click();

    // Final: Ann right, Cat wrong; they vote for each other and the wrong answer decides.
    for (let i = 0; i < 2; i++) {
      const line = await host.waitForText(host.game(), /Round 2: \w+ answers/);
      const answering = /Round 2: (\w+) answers/.exec(line)![1]!;
      expect(answering).not.toBe('Bob');
      await judged(host, () => host.button(answering === 'Ann' ? /Right/ : /Wrong/).click());
    }
    await ann.waitForText(ann.game(), /who should leave/);
    await ann.button('Vote Cat').click();
    await cat.button('Vote Ann').click();
    await expectWinner(all, /Winner: Ann/);
    await Promise.all([host.review('ddf-finished'), ann.review('ddf-winner-phone')]);
  }, 120_000);

  it("SUS'D: hints in turn, the vote catches the impostor, who misses the word", async () => {
    const { host, all } = await table('susd', ['Host', 'Ann', 'Bob'], {
      rounds: 1,
      hintSeconds: 60,
      voteSeconds: 60,
      guessSeconds: 60,
    });
    await host.page.getByTestId('start').click();
    const roles = new Map<BrowserPlayer, string>();
    for (const p of all)
      roles.set(p, await p.waitForText(p.page.getByTestId('role'), /impostor|Secret word/));
    const impostor = all.find((p) => /impostor/.test(roles.get(p)!))!;
    const crew = all.filter((p) => p !== impostor);
    const word = /Secret word: (.+)$/.exec(roles.get(crew[0]!)!)![1]!;
    expect(all.filter((p) => p === impostor)).toHaveLength(1);
    expect(await impostor.page.locator('body').textContent()).not.toContain(word);

    await Promise.all([impostor.review('susd-impostor-hints'), crew[0]!.review('susd-crew-hints')]);
    const hints = ['sparkly', 'ancient', 'noisy'];
    const giveUp = Date.now() + 20_000;
    for (let given = 0; given < all.length && Date.now() < giveUp;) {
      for (const p of all) {
        const field = p.game().locator('input[name="hint"]');
        if (!(await p.isVisible(field))) continue;
        await field.fill(hints[given]!);
        await field.press('Enter');
        given++;
        await waitUntil(async () => !(await p.isVisible(field)), 5000, 'the turn to pass');
      }
    }
    for (const p of all) await p.waitForText(p.page.getByTestId('hints'), /sparkly.*ancient.*noisy/s);
    await Promise.all([impostor.review('susd-impostor-vote'), crew[0]!.review('susd-crew-vote')]);

    for (const p of crew) await p.button(`Vote ${impostor.name}`).click();
    await impostor.button(`Vote ${crew[0]!.name}`).click();
    const guess = impostor.game().locator('input[name="guess"]');
    await guess.waitFor();
    await Promise.all([impostor.review('susd-impostor-guess'), crew[0]!.review('susd-crew-guess')]);
    await guess.fill('definitely-not-it');
    await guess.press('Enter');
    for (const p of all) {
      await p.waitForText(
        p.page.getByTestId('reveal'),
        new RegExp(`${impostor.name} was the impostor; the word was “${word}”`),
      );
    }
    await expectWinner(
      all,
      new RegExp(`Winner: (${crew[0]!.name} and ${crew[1]!.name}|${crew[1]!.name} and ${crew[0]!.name})`),
    );
    await host.review('susd-finished');
  }, 120_000);

  it('BingoBuddies: distinct cards, a false claim refused, the first real line wins', async () => {
    const { host, players, all } = await table('bingo', ['Host', 'Ann', 'Bob'], { drawSeconds: 60 });
    await host.page.getByTestId('start').click();
    const cards = await Promise.all(
      all.map(async (p) => (await p.page.getByTestId('card').textContent()) ?? ''),
    );
    expect(new Set(cards).size).toBe(3);

    await players[0]!.page.getByTestId('claim').click();
    await players[0]!.waitForText(players[0]!.page.getByTestId('error'), /No complete line/);

    let winner: BrowserPlayer | null = null;
    for (let draw = 1; draw <= 75 && !winner; draw++) {
      await host.button('Draw now').click();
      for (const p of all) await p.waitForText(p.game(), new RegExp(` ${draw} drawn`));
      for (const p of all) {
        await markDrawn(p);
        if (await hasLine(p)) {
          winner = p;
          break;
        }
      }
      if (draw === 12)
        await Promise.all([host.review('bingo-host'), players[1]!.review('bingo-player-phone')]);
    }
    expect(winner).not.toBeNull();
    await winner!.page.getByTestId('claim').click();
    await expectWinner(all, new RegExp(`Winner: ${winner!.name}`));
    await winner!.review('bingo-winner');
    await all.find((p) => p !== winner)!.review('bingo-finished-other');
  }, 180_000);

  it('ClueScale: the clue giver rotates, guesses score by distance', async () => {
    const { host, all } = await table('clue', ['Host', 'Ann', 'Bob'], {
      roundsPerPlayer: 1,
      clueSeconds: 60,
      guessSeconds: 60,
      revealSeconds: 60,
    });
    await host.page.getByTestId('start').click();
    const givers: string[] = [];
    for (let round = 1; round <= 3; round++) {
      let giver: BrowserPlayer | undefined;
      await waitUntil(async () => {
        for (const p of all) if (await p.isVisible(p.page.getByTestId('target'))) giver = p;
        return giver;
      });
      givers.push(giver!.name);
      const target = Number(/(\d+)/.exec((await giver!.page.getByTestId('target').textContent())!)![1]);
      for (const p of all)
        if (p !== giver) expect(await p.isVisible(p.page.getByTestId('target'))).toBe(false);
      if (round === 1) await giver!.review('clue-giver');
      const clue = giver!.game().locator('input[name="clue"]');
      await clue.fill('rather in the middle');
      await clue.press('Enter');
      for (const p of all.filter((q) => q !== giver)) {
        await p.waitForText(p.page.getByTestId('clue'), /rather in the middle/);
        if (round === 1 && p === all.find((q) => q !== giver)) await p.review('clue-guess');
        // Ann reads every clue perfectly; everyone else is far off.
        const value = p.name === 'Ann' ? target : target <= 5 ? target + 4 : target - 4;
        await p
          .game()
          .getByRole('button', { name: String(value), exact: true })
          .click();
      }
      for (const p of all)
        await p.waitForText(p.page.getByTestId('reveal'), new RegExp(`The number was ${target}\\.`));
      if (round === 1) await Promise.all([host.review('clue-reveal'), all[1]!.review('clue-reveal-phone')]);
      if (round < 3) await host.button('Next round').click();
    }
    expect(new Set(givers)).toEqual(new Set(['Host', 'Ann', 'Bob']));
    await host.button('Next round').click();
    await expectWinner(all, /Winner: Ann$/);
    await host.review('clue-finished');
  }, 120_000);
});

/** Clicks a judgement and waits until the contestants' table counted it. */
async function judged(master: BrowserPlayer, click: () => Promise<void>): Promise<void> {
  const table = master.game().locator('.scores');
  const before = await table.textContent();
  await click();
  await waitUntil(async () => (await table.textContent()) !== before, 5000, 'the answer to be counted');
}

/** Marks every drawn value on the player's card, one click at a time (each click redraws the card). */
async function markDrawn(p: BrowserPlayer): Promise<void> {
  for (let i = 0; i < 25; i++) {
    const cell = p.game().locator('.cell.drawn').first();
    if ((await cell.count()) === 0) return;
    const index = await cell.getAttribute('data-cell');
    await cell.click();
    await waitUntil(
      async () => (await p.game().locator(`[data-cell="${index}"]`).getAttribute('aria-pressed')) === 'true',
      5000,
      `cell ${index} marked`,
    );
  }
}

const LINES = [
  ...[0, 1, 2, 3, 4].map((r) => [0, 1, 2, 3, 4].map((c) => r * 5 + c)),
  ...[0, 1, 2, 3, 4].map((c) => [0, 1, 2, 3, 4].map((r) => r * 5 + c)),
  [0, 6, 12, 18, 24],
  [4, 8, 12, 16, 20],
];

async function hasLine(p: BrowserPlayer): Promise<boolean> {
  const cells = await p.game().locator('[data-cell]').all();
  const marked = await Promise.all(cells.map(async (c) => (await c.getAttribute('aria-pressed')) === 'true'));
  return LINES.some((line) => line.every((i) => marked[i]));
}
