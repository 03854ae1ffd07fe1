import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpRequest } from '../helpers/nginx.js';
import { TestPlayer } from '../helpers/players.js';
import { ServerProcess } from '../helpers/serverProcess.js';

// A party played from one household: every player behind one NAT address (127.0.0.9 here), and one
// of them mistypes codes (or guesses them) until the address's budget is spent. Those who belong in
// the room must not be locked out: a valid session or host token is never refused, and a room the
// address already reached is no guess. Strangers' codes stay closed to the spent address.

const HOME = '127.0.0.9';
const BUDGET = 3;

let server: ServerProcess;
beforeAll(async () => {
  server = await ServerProcess.start('household', {
    JOIN_FAILURES_PER_MINUTE: String(BUDGET),
    LOG_LEVEL: 'warn',
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const join = (auth: { roomCode: string; name?: string; token?: string }) =>
  TestPlayer.join(server.url, auth, { from: HOME });

async function spendBudget(): Promise<void> {
  const codes: string[] = [];
  for (let i = 0; i < BUDGET + 1; i++) {
    const refused = await TestPlayer.refused(
      server.url,
      { roomCode: `QQ${i}${i}QQ`, name: 'Typo' },
      { from: HOME },
    );
    codes.push(refused.message);
  }
  expect(codes).toEqual([...Array(BUDGET).fill('ROOM_NOT_FOUND'), 'RATE_LIMITED']);
}

describe('limits that never lock out the players who belong', () => {
  it('lets the household back into its room after one of them spent the address budget', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Host' });
    const host = await join({ roomCode: room.roomCode, token: room.hostToken });
    const ann = await join({ roomCode: room.roomCode, name: 'Ann' });
    const annToken = ann.sessionToken;
    ann.close();

    await spendBudget();

    // Ten rejoins with a valid session token (the fuzzer's case): all admitted.
    let token = annToken;
    for (let i = 0; i < 10; i++) {
      const back = await join({ roomCode: room.roomCode, token });
      expect(back.id).toBe(ann.id);
      token = back.sessionToken;
      back.close();
    }
    // The host reloads its link: the host token still works.
    host.close();
    const hostAgain = await join({ roomCode: room.roomCode, token: room.hostToken });
    expect(hostAgain.joined?.role).toBe('host');
    // A guest arriving late from the same address joins the room the household is in.
    const bob = await join({ roomCode: room.roomCode, name: 'Bob' });
    expect(bob.joined?.room.players.map((p) => p.name)).toContain('Bob');
    // And the room's link still resolves for them.
    const lookup = await httpRequest(`${server.url}/r/${room.roomCode}`, {
      from: HOME,
      headers: { accept: 'application/json' },
    });
    expect(lookup.status).toBe(200);
    hostAgain.close();
    bob.close();
  });

  it('keeps codes the address never reached closed to it, joins and lookups alike', async () => {
    const stranger = await server.createRoom();
    const refused = await TestPlayer.refused(
      server.url,
      { roomCode: stranger.roomCode, name: 'Eve' },
      { from: HOME },
    );
    expect(refused.message).toBe('RATE_LIMITED');
    const lookup = await httpRequest(`${server.url}/r/${stranger.roomCode}`, {
      from: HOME,
      headers: { accept: 'application/json' },
    });
    expect(lookup.status).toBe(429);
    expect(lookup.body.error.code).toBe('RATE_LIMITED');
    // A wrong token spends budget too, but is refused as what it is.
    const wrong = await TestPlayer.refused(
      server.url,
      { roomCode: stranger.roomCode, token: 'x'.repeat(43) },
      { from: '127.0.0.10' },
    );
    expect(wrong.message).toBe('INVALID_TOKEN');
  });
});
