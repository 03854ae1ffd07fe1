/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { BrowserPlayer, buildWeb, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

// The page under its Content-Security-Policy, in Debian's chromium: a host creates a room on the
// home page, follows the host link (token in the fragment, carried over the /r/ redirect), a player
// joins, and nothing the page does is blocked by the policy.

let server: TestServer;
let browser: Browser;
const people: BrowserPlayer[] = [];

beforeAll(async () => {
  const webRoot = await buildWeb();
  server = await startTestServer({}, { webRoot });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await Promise.all(people.map((p) => p.close()));
  await browser?.close();
  await server?.stop();
});

async function person(name: string): Promise<{ player: BrowserPlayer; violations: () => Promise<string[]> }> {
  const player = await BrowserPlayer.open(browser, name, { width: 1000, height: 800 });
  people.push(player);
  const consoleErrors: string[] = [];
  player.page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      consoleErrors.push(message.text());
  });
  await player.page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return {
    player,
    violations: async () => [
      ...consoleErrors,
      ...(await player.page.evaluate(
        () => (window as unknown as { __violations: string[] }).__violations ?? [],
      )),
    ],
  };
}

describe('the page under its CSP', () => {
  it('creates a room, takes the host seat from the fragment, lets a player in, and violates nothing', async () => {
    const host = await person('Host');
    await host.player.page.goto(`${server.url}/`);
    const csp = (await host.player.page.request.get(`${server.url}/`)).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    await host.player.page.getByLabel('Game').selectOption('rps');
    await host.player.page.getByLabel('Your name').fill('Host');
    await host.player.page.getByRole('button', { name: 'Create room' }).click();
    // The host is seated under the name given at creation: no second form.
    await host.player.waitForStatus('connected');
    expect(host.player.page.url()).not.toContain('token');
    const code = (await host.player.page.getByTestId('room-code').textContent())!;
    await host.player.waitForText(host.player.page.getByTestId('players'), /Host \(you\)host/);

    const ann = await person('Ann');
    await ann.player.join(`${server.url}/?room=${code}&role=player`);
    await host.player.waitForText(host.player.page.getByTestId('players'), /Ann/);

    expect(await host.violations()).toEqual([]);
    expect(await ann.violations()).toEqual([]);
    for (const p of people) expect(p.errors).toEqual([]);
  }, 60_000);
});
