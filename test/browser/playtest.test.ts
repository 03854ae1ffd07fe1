import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { BrowserPlayer, buildWeb, DESKTOP, launchBrowser, PHONE } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitUntil } from '../helpers/wait.js';

// What annoyed a table of friends who play-tested the page (issue 23), as they would see it: a seat
// that survives closing the tab, a double click that acts once, a long word on a phone, errors that
// go away, a player whose network dies, a kicked player. The server runs with its default heartbeat.

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

/** The host creates a room on the home page; returns the host's page and the invite link. */
async function hostRoom(gameType: string, settings: Record<string, number> = {}) {
  const host = await person('Host', DESKTOP);
  await host.page.goto(`${server.url}/`);
  await host.page.getByLabel('Game').selectOption(gameType);
  await host.page.getByLabel('Your name').fill(host.name);
  await host.page.getByRole('button', { name: 'Create room' }).click();
  await host.waitForStatus('connected');
  const code = (await host.page.getByTestId('room-code').textContent())!;
  if (Object.keys(settings).length > 0) {
    await server.server.service.updateSettings(
      code,
      (await server.server.service.getRoom(code)).hostId!,
      settings,
    );
  }
  return { host, code, invite: `${server.url}/?room=${code}&role=player` };
}

function playersText(p: BrowserPlayer): Promise<string> {
  return p.page
    .getByTestId('players')
    .textContent()
    .then((t) => t ?? '');
}

/** The page is no wider than the phone it is on. */
async function pageWidth(p: BrowserPlayer): Promise<number> {
  return p.page.evaluate('document.documentElement.scrollWidth');
}

describe('the page as a table of friends uses it', () => {
  it('gives the seat back when the invite link is opened again after closing the tab', async () => {
    // A double press on "Create room" makes one room.
    const before = await server.server.service.countRooms();
    const { host, code, invite } = await hostRoom('susd');
    expect(await server.server.service.countRooms()).toBe(before + 1);
    const created = await person('Creator', DESKTOP);
    await created.page.goto(`${server.url}/`);
    await created.page.getByLabel('Your name').fill('Creator');
    await created.page.getByRole('button', { name: 'Create room' }).dblclick();
    await created.waitForStatus('connected');
    expect(await server.server.service.countRooms()).toBe(before + 2);

    const dan = await person('Dan');
    await dan.join(invite);
    await host.waitForText(host.page.getByTestId('players'), /Dan/);
    const seat = (await server.server.service.getRoom(code)).players.find((p) => p.name === 'Dan')!.id;

    // Phones close background tabs: Dan's tab goes, the invite link is opened again in the same browser.
    await dan.reopenTab(invite);
    await dan.waitForStatus('connected');
    await dan.waitForText(dan.page.getByTestId('players'), /Dan \(you\)/);
    const room = await server.server.service.getRoom(code);
    expect(room.players.map((p) => p.name).sort()).toEqual(['Dan', 'Host']);
    expect(room.players.find((p) => p.name === 'Dan')).toMatchObject({ id: seat, connected: true });
    await host.waitForText(host.page.getByTestId('players'), /Dan(?!.*offline)/);
    expect(await playersText(host)).not.toContain('Dan 2');

    // A second tab on the same seat takes it over; the first one says so and offers it back.
    const first = dan.page;
    const second = await first.context().newPage();
    await second.goto(invite);
    await second
      .getByTestId('status')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await first.getByText('This seat is open in another window').waitFor();
    expect((await server.server.service.getRoom(code)).players).toHaveLength(2);
    await second.close();
  }, 90_000);

  it('DDF: a double click judges once, an error goes once it no longer applies, a kicked player leaves the room', async () => {
    const { host, code, invite } = await hostRoom('ddf', { questionsPerRound: 1, answerSeconds: 120 });
    const ann = await person('Ann');
    await ann.join(invite);
    // Too few players: the refusal is shown, then goes away when it no longer applies.
    await host.page.getByTestId('start').click();
    await host.waitForText(host.page.getByTestId('error'), /At least 2 connected players/);
    const bob = await person('Bob', PHONE, 'dark');
    await bob.join(invite);
    const dan = await person('Dan');
    await dan.join(invite);
    await host.waitForText(host.page.getByTestId('error'), /^$/);
    await host.review('playtest-ddf-lobby');

    await host.page.getByTestId('start').click();
    await host.waitForText(host.game(), /Round 1: \w+ answers/);
    const stateOf = async () => (await server.server.service.getRoom(code)).game as any;
    const first = (await stateOf()).queue[0] as string;
    // The game master double-clicks "✓ Right": one contestant is judged, not the next one too.
    await host.button(/Right/).dblclick();
    await waitUntil(async () => (await stateOf()).answers.length > 0, 5000, 'the judgement');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const state = await stateOf();
    expect(state.answers).toHaveLength(1);
    expect(state.answers[0]).toMatchObject({ playerId: first, correct: true });
    expect(state.stage).toBe('question');
    expect(await host.page.getByTestId('error').textContent()).toBe('');
    // Contestants see the judged answer; the one whose turn it is is told to answer aloud.
    const answering = state.queue[0] as string;
    const names = Object.fromEntries(
      (await server.server.service.getRoom(code)).players.map((p) => [p.id, p.name]),
    );
    for (const p of [ann, bob, dan]) {
      await p.waitForText(p.page.getByTestId('judged'), /was right\. The answer: /);
      expect(await p.isVisible(p.page.getByTestId('your-turn'))).toBe(p.name === names[answering]);
    }
    await Promise.all([ann.review('playtest-ddf-contestant'), bob.review('playtest-ddf-contestant-dark')]);

    // Kick, with a confirmation, from a menu apart from "make host".
    await host.page.locator('[data-player="Dan"] summary').click();
    await host.page.getByRole('button', { name: 'Remove Dan from the room' }).click();
    await host.page.getByText('Remove Dan from the room?').waitFor();
    await host.review('playtest-kick-confirm');
    await host.page.getByRole('button', { name: 'Yes, remove' }).click();
    // Dan's page leaves the room: no game, no chat box, a way back to the start.
    await dan.page.getByTestId('closed').waitFor();
    await dan.waitForText(dan.page.getByTestId('closed'), /removed you from the room/);
    expect(await dan.page.locator('input[name="chat"]').count()).toBe(0);
    expect(await dan.page.getByTestId('game').count()).toBe(0);
    await dan.review('playtest-kicked');
    // The contestants' table still names him.
    await host.waitForText(host.game().locator('.scores'), /Dan \(left\)/);
    expect(await host.gameText()).not.toContain('someone');

    // Back through the invite link he is asked for a name and takes a new seat.
    await dan.page.goto(invite);
    await dan.page.getByLabel('Your name').waitFor();
    await dan.page.getByRole('button', { name: 'Join' }).click();
    await dan.waitForStatus('connected');
  }, 120_000);

  it('keeps every phone within its width when someone types a 120-letter word', async () => {
    const { host, invite } = await hostRoom('clue');
    const long = 'W'.repeat(32);
    const phones = [await person(long), await person('Eve', PHONE, 'dark')];
    for (const p of phones) await p.join(invite);
    await host.waitForText(host.page.getByTestId('players'), /Eve/);
    const word = 'a'.repeat(120);
    const input = phones[1]!.page.locator('input[name="chat"]');
    await input.fill(word);
    await input.press('Enter');
    for (const p of [...phones, host]) await p.waitForText(p.page.getByTestId('chat'), new RegExp(word));
    for (const p of phones) expect(await pageWidth(p)).toBeLessThanOrEqual(PHONE.width);
    await phones[0]!.review('playtest-long-word');
    expect(await pageWidth(host)).toBeLessThanOrEqual(DESKTOP.width);
  }, 60_000);

  it('shows a player offline on both sides within 10 s of the network going away, and refuses their actions visibly', async () => {
    const { host, invite } = await hostRoom('susd');
    const eve = await person('Eve');
    await eve.join(invite);
    await host.waitForText(host.page.getByTestId('players'), /Eve/);

    const wentAway = Date.now();
    await eve.page.context().setOffline(true);
    await eve.waitForText(eve.page.getByTestId('status'), /offline|reconnecting/, 10_000);
    await host.waitForText(host.page.locator('[data-player="Eve"]'), /offline/, 10_000);
    const noticed = Date.now() - wentAway;
    expect(noticed).toBeLessThan(10_000);

    // An action made offline is refused on the spot, not sent into the void to land later.
    const input = eve.page.locator('input[name="chat"]');
    await input.fill('are you there?');
    await input.press('Enter');
    await eve.waitForText(eve.page.getByTestId('error'), /offline|Not connected/);
    expect(await input.inputValue()).toBe('are you there?');
    await eve.review('playtest-offline');

    await eve.page.context().setOffline(false);
    await eve.waitForStatus('connected', 15_000);
    await host.waitForText(host.page.locator('[data-player="Eve"]'), /^(?!.*offline)/);
    await input.press('Enter');
    await host.waitForText(host.page.getByTestId('chat'), /are you there\?/);
    await eve.waitForText(eve.page.getByTestId('error'), /^$/);
  }, 60_000);
});
