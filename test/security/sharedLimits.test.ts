import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { httpRequest } from '../helpers/nginx.js';
import { TestPlayer } from '../helpers/players.js';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';

// Limits that hold across replicas: with Redis the budgets live there (a token bucket in a Lua
// script), so N processes are not N times the budget. One client at 127.0.0.11 guesses codes on
// every game server of a fleet and on its router; one client creates rooms on three servers.

const GUESSES = 6;
const CREATIONS = 4;

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

describe('the budget of guesses, shared by 3 game servers and the router on one Redis', () => {
  let fleet: FleetProcess;
  beforeAll(async () => {
    fleet = await FleetProcess.start(3, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `limits${randomBytes(3).toString('hex')}:`,
      JOIN_FAILURES_PER_MINUTE: String(GUESSES),
    });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('cuts one guesser off after JOIN_FAILURES_PER_MINUTE failures in all, wherever it guesses', async () => {
    const members = (await fleet.members()).map((m) => m.url);
    const outcomes: string[] = [];
    // Round robin: a lookup at the router, then a join on each game server, and again.
    for (let i = 0; i < 4 * 3; i++) {
      const code = `KK${String(i).padStart(2, '3')}KK`;
      const where = i % 4;
      if (where === 0) {
        const res = await httpRequest(`${fleet.url}/r/${code}`, {
          from: '127.0.0.11',
          headers: { accept: 'application/json' },
        });
        outcomes.push(
          res.status === 429 ? 'RATE_LIMITED' : res.status === 404 ? 'ROOM_NOT_FOUND' : String(res.status),
        );
      } else {
        const refused = await TestPlayer.refused(
          members[where - 1]!,
          { roomCode: code, name: 'G' },
          { from: '127.0.0.11' },
        );
        outcomes.push(refused.message);
      }
    }
    const failures = outcomes.filter((o) => o === 'ROOM_NOT_FOUND').length;
    // One token comes back every 10 s: a slow machine may see one more.
    expect(failures).toBeGreaterThanOrEqual(GUESSES);
    expect(failures).toBeLessThanOrEqual(GUESSES + 1);
    expect(outcomes.slice(0, GUESSES)).toEqual(Array(GUESSES).fill('ROOM_NOT_FOUND'));
    expect(outcomes.slice(-3)).toEqual(Array(3).fill('RATE_LIMITED'));
    // Another client is not affected.
    const other = await httpRequest(`${fleet.url}/r/NNNNNN`, {
      from: '127.0.0.12',
      headers: { accept: 'application/json' },
    });
    expect(other.status).toBe(404);
  });
});

async function createFrom(server: ServerProcess, from: string): Promise<number> {
  const res = await httpRequest(`${server.url}/play/rooms`, {
    method: 'POST',
    from,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gameType: 'rps', hostName: 'Pat' }),
  });
  return res.status;
}

describe('rooms created without a key (POST /play/rooms), by one address on three servers', () => {
  const env = { OPEN_ROOM_CREATION: 'true', ROOM_CREATIONS_PER_MINUTE: String(CREATIONS), LOG_LEVEL: 'warn' };

  it('with Redis: ROOM_CREATIONS_PER_MINUTE for the whole deployment', async () => {
    const prefix = `create${randomBytes(3).toString('hex')}:`;
    const servers = await Promise.all(
      [1, 2, 3].map((i) =>
        ServerProcess.start(`create-${i}`, { ...env, REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }),
      ),
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push(await createFrom(servers[i % 3]!, '127.0.0.13'));
      expect(statuses).toEqual([...Array(CREATIONS).fill(201), ...Array(9 - CREATIONS).fill(429)]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 60_000);

  it('without Redis: per process (each server grants the whole budget)', async () => {
    const servers = await Promise.all([1, 2, 3].map((i) => ServerProcess.start(`create-mem-${i}`, env)));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3 * (CREATIONS + 1); i++)
        statuses.push(await createFrom(servers[i % 3]!, '127.0.0.14'));
      expect(statuses.filter((s) => s === 201)).toHaveLength(3 * CREATIONS);
      expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 60_000);
});
