import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { httpRequest, NginxProxy } from '../helpers/nginx.js';
import { TestPlayer } from '../helpers/players.js';
import { ServerProcess } from '../helpers/serverProcess.js';

// Client identity behind a reverse proxy. Each client has its own loopback address (127.0.0.2,
// 127.0.0.3, ...) and reaches the game server or the fleet's router through Debian's nginx, which
// appends the address it sees to X-Forwarded-For, as an Ingress does. The budget of failed lookups
// and joins (JOIN_FAILURES_PER_MINUTE=4 here) must belong to the real client: one guesser behind
// the proxy does not lock everyone out, and writing X-Forwarded-For oneself buys no fresh budget.

const BUDGET = 4;
const bogus = (i: number) => `ZZ${String(i).padStart(4, '2').slice(-4)}`.slice(0, 6);

/** Looks up codes that do not exist until refused; returns the statuses seen. */
async function guess(
  baseUrl: string,
  from: string,
  times: number,
  spoof?: (i: number) => string,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spoof) headers['x-forwarded-for'] = spoof(i);
    statuses.push((await httpRequest(`${baseUrl}/r/${bogus(i)}`, { from, headers })).status);
  }
  return statuses;
}

const refusedAfterBudget = [...Array(BUDGET).fill(404), 429, 429];

describe('the game server behind nginx (TRUST_PROXY=127.0.0.1, the proxy)', () => {
  let server: ServerProcess;
  let proxy: NginxProxy;

  beforeAll(async () => {
    server = await ServerProcess.start('identity-gs', {
      TRUST_PROXY: '127.0.0.1',
      JOIN_FAILURES_PER_MINUTE: String(BUDGET),
      LOG_LEVEL: 'warn',
    });
    proxy = await NginxProxy.start(server.url);
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
  });

  it('limits the guesser, not the other players behind the same proxy', async () => {
    expect(await guess(proxy.url, '127.0.0.2', BUDGET + 2)).toEqual(refusedAfterBudget);
    const room = await server.createRoom();
    const other = await httpRequest(`${proxy.url}/r/${room.roomCode}`, {
      from: '127.0.0.3',
      headers: { accept: 'application/json' },
    });
    expect(other.status).toBe(200);
    expect(other.body.roomCode).toBe(room.roomCode);
  });

  it('does not believe an X-Forwarded-For the client wrote itself', async () => {
    // A new spoofed address each time: the server keys on the address nginx appended.
    const statuses = await guess(proxy.url, '127.0.0.4', BUDGET + 2, (i) => `10.9.${i}.1`);
    expect(statuses).toEqual(refusedAfterBudget);
    // Nor from a client that reaches the server without the proxy.
    expect(await guess(server.url, '127.0.0.5', BUDGET + 2, (i) => `10.8.${i}.1`)).toEqual(
      refusedAfterBudget,
    );
  });

  it('keys socket joins on the same address: a code guesser behind the proxy is refused, others join', async () => {
    const refusals: string[] = [];
    for (let i = 0; i < BUDGET + 1; i++) {
      const refused = await TestPlayer.refused(
        proxy.url,
        { roomCode: bogus(100 + i), name: 'Guess' },
        { from: '127.0.0.6', headers: { 'x-forwarded-for': `10.7.${i}.1` } },
      );
      refusals.push(refused.message);
    }
    expect(refusals).toEqual([...Array(BUDGET).fill('ROOM_NOT_FOUND'), 'RATE_LIMITED']);
    const room = await server.createRoom();
    const player = await TestPlayer.join(
      proxy.url,
      { roomCode: room.roomCode, name: 'Ann' },
      { from: '127.0.0.7' },
    );
    expect(player.joined?.roomCode).toBe(room.roomCode);
    player.close();
  });
});

describe("the local fleet's router behind nginx (TRUST_PROXY=1: one proxy in front)", () => {
  let fleet: FleetProcess;
  let proxy: NginxProxy;

  beforeAll(async () => {
    fleet = await FleetProcess.start(1, { TRUST_PROXY: '1', JOIN_FAILURES_PER_MINUTE: String(BUDGET) });
    proxy = await NginxProxy.start(fleet.url);
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await fleet?.stop();
  });

  it('limits each client on its own address, whatever it writes in X-Forwarded-For', async () => {
    expect(await guess(proxy.url, '127.0.0.2', BUDGET + 2, (i) => `10.6.${i}.1`)).toEqual(refusedAfterBudget);
    expect((await guess(proxy.url, '127.0.0.3', 1))[0]).toBe(404);
  });
});
