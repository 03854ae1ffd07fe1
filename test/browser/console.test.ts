import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY, CONTRACT_API_KEYS, READ_KEY } from '../api/roomsApiContract.js';
import { BrowserPlayer, buildWeb, launchBrowser, PHONE } from '../helpers/browser.js';
import { ConsolePage } from '../helpers/consolePage.js';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitUntil } from '../helpers/wait.js';

// The operator's console as an operator sees it, on one game server and on a local fleet sharing
// Redis: a room appears, players join, a chat line arrives, a player is kicked and the room closed
// from the console (the players' pages say so), and on the fleet the room is seen moving when the
// server holding it is killed. Screenshots: test-artifacts/browser/console-*.

let browser: Browser;
let webRoot: string;
const open: BrowserPlayer[] = [];

beforeAll(async () => {
  webRoot = await buildWeb();
  browser = await launchBrowser();
}, 120_000);

afterEach(async () => {
  for (const person of open) expect(person.errors).toEqual([]);
  await Promise.all(open.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await browser?.close();
});

async function person(name: string): Promise<BrowserPlayer> {
  const p = await BrowserPlayer.open(browser, name, PHONE);
  open.push(p);
  return p;
}

async function operator(baseUrl: string, key = ADMIN_KEY, viewport?: { width: number; height: number }) {
  const view = await ConsolePage.open(browser, baseUrl, key, viewport);
  open.push(view.person);
  return view;
}

async function createRoom(baseUrl: string, hostName: string) {
  const response = await fetch(`${baseUrl}/v1/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ gameType: 'rps', hostName }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as {
    roomCode: string;
    url: string;
    hostJoinUrl: string;
    playerJoinUrl: string;
  };
}

async function chat(p: BrowserPlayer, text: string): Promise<void> {
  const input = p.page.getByRole('textbox', { name: 'Chat message' });
  await input.fill(text);
  await input.press('Enter');
}

describe('the console on one game server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: CONTRACT_API_KEYS }, { webRoot });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('shows a room live and kicks a player and closes the room', async () => {
    const console = await operator(server.url);
    await console.waitFor('rooms', /No rooms yet/);

    const room = await createRoom(server.url, 'Host');
    await console.openRoom(room.roomCode);
    await console.waitFor('room-log', /created on/);

    const host = await person('Host');
    await host.page.goto(room.hostJoinUrl);
    await host.waitForStatus('connected');
    const ann = await person('Ann');
    await ann.join(room.playerJoinUrl);
    const bob = await person('Bob');
    await bob.join(room.playerJoinUrl);
    await console.waitFor('room-players', /Host.*host.*Ann.*Bob/s);
    await console.waitFor('room-facts', /3\/3 connected/);
    await console.waitFor('servers', /1 rooms · 3 players/);

    await chat(ann, 'hello from Ann');
    await console.waitFor('room-chat', /Ann: hello from Ann/);
    await console.waitFor('room-log', /Ann wrote in the chat/);
    await console.person.review('console-room');

    await console.confirm('Kick Bob', 'Kick Bob');
    await bob.waitForText(bob.page.getByTestId('closed'), /removed/);
    await console.waitFor('room-log', /console: kicked Bob/);
    expect(await console.page.getByTestId('room-players').textContent()).not.toContain('Bob');
    await host.waitForText(host.page.getByTestId('players'), /^(?!.*Bob).*Ann/s);

    await console.confirm('Close room', `Close ${room.roomCode}`);
    for (const p of [host, ann]) await p.page.getByTestId('closed').waitFor();
    await console.waitFor('room-detail', /This room is gone/);
    await console.waitFor('rooms', /No rooms yet/);
    await console.person.screenshot('console-closed');
  }, 120_000);

  it('lets a read-only key look and offers it no action', async () => {
    const room = await createRoom(server.url, 'Host');
    const console = await operator(server.url, READ_KEY, PHONE);
    await console.openRoom(room.roomCode);
    await console.waitFor('message', /Read-only key/);
    const host = await person('Host');
    await host.page.goto(room.hostJoinUrl);
    await host.waitForStatus('connected');
    await console.waitFor('room-players', /Host/);
    for (const name of ['Kick Host', 'Close room', 'Move', 'Drain']) {
      expect(await console.page.getByRole('button', { name }).count()).toBe(0);
    }
    await console.person.review('console-read-only');
    // Forgetting the key leaves nothing of the fleet on screen.
    await console.page.getByRole('button', { name: 'Forget the key' }).click();
    await console.page.getByLabel('Rooms API key').waitFor();
    expect(await console.page.getByTestId('servers').count()).toBe(0);
    expect(await console.page.locator('body').textContent()).not.toContain(room.roomCode);
  }, 60_000);

  it('refuses a wrong key in the page', async () => {
    const p = await person('Someone');
    await p.page.goto(`${server.url}/console`);
    await p.page.getByLabel('Rooms API key').fill('not-the-key-0123456789');
    await p.page.getByRole('button', { name: 'Open the console' }).click();
    await p.waitForText(p.page.getByTestId('key-error'), /not valid/);
    expect(await p.page.getByTestId('servers').count()).toBe(0);
    await p.review('console-key');
  }, 60_000);
});

describe('the console on a local fleet sharing Redis', () => {
  let redis: RedisServer;
  let fleet: FleetProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    fleet = await FleetProcess.start(2, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `c${randomBytes(4).toString('hex')}:`,
      ROOM_LEASE_MS: '1500',
      WEB_ROOT: webRoot,
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  it('follows a room across servers: players, chat, a kick, a killed server, a move, a close', async () => {
    const console = await operator(fleet.url);
    const room = await createRoom(fleet.url, 'Host');
    await console.openRoom(room.roomCode);
    const host = await person('Host');
    await host.page.goto(room.hostJoinUrl);
    await host.waitForStatus('connected');
    const ann = await person('Ann');
    await ann.join(room.playerJoinUrl);
    const bob = await person('Bob');
    await bob.join(room.playerJoinUrl);
    await console.waitFor('room-facts', /3\/3 connected/);
    await chat(bob, 'hi from Bob');
    await console.waitFor('room-chat', /Bob: hi from Bob/);

    await console.confirm('Kick Ann', 'Kick Ann');
    await ann.waitForText(ann.page.getByTestId('closed'), /removed/);
    await console.waitFor('room-log', /console: kicked Ann/);

    // The server holding the room dies: the console shows it down and the room on the other one.
    const members = await fleet.members();
    const holder = members.find((m) => m.url === room.url)!;
    const other = members.find((m) => m.id !== holder.id)!;
    await console.waitFor('room-facts', new RegExp(`on ${holder.id}`));
    process.kill(holder.pid!, 'SIGKILL');
    await console.waitFor('room-facts', new RegExp(`on ${other.id}`), 15_000);
    await console.waitFor('room-moves', new RegExp(`failover: ${other.id}`));
    await console.waitFor('room-log', new RegExp(`failed over from ${holder.id} to ${other.id}`));
    for (const p of [host, bob]) await p.waitForStatus('connected', 15_000);
    await console.waitFor('room-facts', /2\/2 connected/, 15_000);
    await console.person.review('console-fleet-failover');

    // The killed server is back (restarted under its id): move the room to it from the console.
    await waitUntil(
      async () => (await fleet.members()).find((m) => m.id === holder.id)?.state === 'running',
      30_000,
    );
    await console.waitFor('servers', new RegExp(`${holder.id}\\s*healthy`), 15_000);
    await console.page.getByLabel('Move to server').selectOption(holder.id);
    await console.confirm('Move', `Move to ${holder.id}`);
    await console.waitFor('room-moves', new RegExp(`moved: ${holder.id}`));
    await console.waitFor('room-facts', new RegExp(`on ${holder.id}`));
    await chat(host, 'still here');
    await console.waitFor('room-chat', /Host: still here/);

    await console.confirm('Close room', `Close ${room.roomCode}`);
    for (const p of [host, bob]) await p.page.getByTestId('closed').waitFor();
    await console.waitFor('room-detail', /This room is gone/);
    await console.person.screenshot('console-fleet-closed');

    // Drain one server from the console: new rooms go to the other one.
    await console.confirm(`Drain ${holder.id}`, `Drain ${holder.id}`);
    await console.waitFor('servers', new RegExp(`${holder.id}\\s*draining`), 10_000);
    for (let i = 0; i < 2; i++) expect((await createRoom(fleet.url, 'Next')).url).toBe(other.url);
  }, 180_000);
});
