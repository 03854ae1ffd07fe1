import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY } from '../api/roomsApiContract.js';
import { BrowserPlayer, buildWeb, launchBrowser } from '../helpers/browser.js';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// A local fleet of two game servers sharing Redis; the one holding the room is killed with -9 in the
// middle of a game; the players' pages find the room on the other server and the game goes on.

let redis: RedisServer;
let fleet: FleetProcess;
let browser: Browser;
const people: BrowserPlayer[] = [];

beforeAll(async () => {
  const webRoot = await buildWeb();
  redis = await RedisServer.start();
  fleet = await FleetProcess.start(2, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `b${randomBytes(4).toString('hex')}:`,
    ROOM_LEASE_MS: '1500',
    WEB_ROOT: webRoot,
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await Promise.all(people.map((p) => p.close()));
  await browser?.close();
  await fleet?.stop();
  await redis?.stop();
});

async function choose(players: BrowserPlayer[], choice: string): Promise<void> {
  for (const p of players) await p.button(choice).click();
}

describe('a game server dies mid-game', () => {
  it('the pages follow the room to another server and the game goes on', async () => {
    const response = await fetch(`${fleet.url}/v1/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gameType: 'rps', hostName: 'Host', settings: { rounds: 2, roundSeconds: 60 } }),
    });
    const room = (await response.json()) as {
      roomCode: string;
      url: string;
      hostJoinUrl: string;
      playerJoinUrl: string;
    };

    const host = await BrowserPlayer.open(browser, 'Host', { width: 1000, height: 800 });
    const ann = await BrowserPlayer.open(browser, 'Ann');
    const bob = await BrowserPlayer.open(browser, 'Bob');
    people.push(host, ann, bob);
    // The host link seats the host under the name the room was created with: no name to type.
    await host.page.goto(room.hostJoinUrl);
    await host.waitForStatus('connected');
    await ann.join(room.playerJoinUrl);
    await bob.join(room.playerJoinUrl);
    // The join links went through the fleet's /r/ to the server holding the room.
    for (const p of people) expect(p.page.url().startsWith(room.url)).toBe(true);

    await host.waitForText(host.page.getByTestId('players'), /Bob/);
    await host.button('Start game').click();
    await choose(people, 'rock');
    for (const p of people) await p.waitForText(p.game(), /Round 1 results/);

    const holder = (await fleet.members()).find((m) => m.url === room.url)!;
    process.kill(holder.pid!, 'SIGKILL');
    // Every page notices, looks the room up at the fleet and takes its seat again elsewhere.
    for (const p of people)
      await p.waitForText(p.page.getByTestId('status'), /reconnecting|connecting/i, 10_000);
    for (const p of people) await p.waitForStatus('connected');
    await waitUntil(async () => (await fleet.members()).find((m) => m.id === holder.id)?.restarts === 1);
    await host.screenshot('failover-reconnected');

    // The round results from before the crash are still on screen, and the game continues.
    for (const p of people) await p.waitForText(p.game(), /Round 1 results/);
    await host.button('Next').click();
    await choose([host, ann], 'paper');
    await choose([bob], 'rock');
    for (const p of people) await p.waitForText(p.game(), /Round 2 results/);
    await host.button('Next').click();
    for (const p of people)
      await p.waitForText(p.page.getByTestId('winner'), /Winner: Host and Ann$/, 15_000);
    await host.screenshot('failover-finished');
    for (const p of people) expect(p.errors).toEqual([]);
  }, 120_000);
});
