import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, CONTRACT_API_KEYS, READ_KEY } from '../api/roomsApiContract.js';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

// The operator's console is behind the Rooms API keys on every front: without a key it shows and
// does nothing, a read-only key sees but every action is refused and changes nothing, and a key is
// never taken from a URL. On one game server and on the local fleet's router.

let server: TestServer;
let keyless: TestServer;
let fleet: FleetProcess;

beforeAll(async () => {
  server = await startTestServer({ API_KEYS: CONTRACT_API_KEYS });
  keyless = await startTestServer({ API_KEYS: '', OPEN_ROOM_CREATION: 'true' });
  fleet = await FleetProcess.start(2);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await keyless?.stop();
  await fleet?.stop();
});

async function call(
  base: string,
  method: string,
  path: string,
  init: { key?: string; header?: 'bearer' | 'x-api-key'; body?: unknown; origin?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== undefined) {
    if (init.header === 'x-api-key') headers['x-api-key'] = init.key;
    else headers.authorization = `Bearer ${init.key}`;
  }
  if (init.origin) headers.origin = init.origin;
  const response = await fetch(base + path, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(5000),
  });
  // The stream never ends by itself: read what a refusal says, or just the status of an accepted one.
  const text = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? (await response.body?.cancel(), '')
    : await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

function reads(code: string): string[] {
  return [
    '/console/api/overview',
    '/console/api/servers',
    '/console/api/rooms',
    '/console/api/rooms?q=rps&sort=code',
    `/console/api/rooms/${code}`,
    `/console/api/stream?room=${code}`,
  ];
}

function actions(code: string, playerId: string, serverId: string): Array<[string, object]> {
  return [
    [`/console/api/rooms/${code}/kick`, { confirm: true, playerId }],
    [`/console/api/rooms/${code}/host`, { confirm: true, playerId }],
    [`/console/api/rooms/${code}/move`, { confirm: true, serverId }],
    [`/console/api/servers/${serverId}/drain`, { confirm: true }],
    [`/console/api/rooms/${code}/close`, { confirm: true }],
  ];
}

for (const front of ['one game server', "the local fleet's router"] as const) {
  describe(`the console on ${front}`, () => {
    const base = () => (front === 'one game server' ? server.url : fleet.url);

    async function roomWithTwo(): Promise<{ code: string; ana: TestPlayer; bo: TestPlayer }> {
      const created = await call(base(), 'POST', '/v1/rooms', {
        key: ADMIN_KEY,
        body: { gameType: 'rps', hostName: 'Ana' },
      });
      expect(created.status).toBe(201);
      const { roomCode, url, hostToken } = created.body;
      const ana = await TestPlayer.join(url, { roomCode, token: hostToken });
      const bo = await TestPlayer.join(url, { roomCode, name: 'Bo' });
      return { code: roomCode, ana, bo };
    }

    it('answers nothing without a key, or with a wrong one, and takes no key from the URL', async () => {
      const { code, ana, bo } = await roomWithTwo();
      try {
        for (const path of reads(code)) {
          for (const key of [undefined, 'not-a-key-0123456789abcdef']) {
            const answer = await call(base(), 'GET', path, key === undefined ? {} : { key });
            expect([path, answer.status, answer.body?.error?.code]).toEqual([path, 401, 'UNAUTHORIZED']);
            expect(JSON.stringify(answer.body)).not.toContain(code);
          }
          const inUrl = `${path}${path.includes('?') ? '&' : '?'}key=${ADMIN_KEY}&apiKey=${ADMIN_KEY}`;
          expect((await call(base(), 'GET', inUrl)).status).toBe(401);
        }
        for (const [path, body] of actions(code, bo.id, 'any')) {
          const answer = await call(base(), 'POST', path, { body });
          expect([path, answer.status]).toEqual([path, 401]);
        }
        // The page itself is only the form asking for the key: no room, no server in it.
        const page = await fetch(`${base()}/console`);
        expect(page.status).toBe(200);
        const html = await page.text();
        expect(html).not.toContain(code);
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect((await call(base(), 'GET', `/console/api/rooms/${code}`, { key: ADMIN_KEY })).status).toBe(
          200,
        );
      } finally {
        ana.close();
        bo.close();
      }
    });

    it('lets a read-only key see everything and do nothing', async () => {
      const { code, ana, bo } = await roomWithTwo();
      try {
        for (const path of reads(code)) {
          for (const header of ['bearer', 'x-api-key'] as const) {
            expect([path, (await call(base(), 'GET', path, { key: READ_KEY, header })).status]).toEqual([
              path,
              200,
            ]);
          }
        }
        const servers = (await call(base(), 'GET', '/console/api/servers', { key: READ_KEY })).body.servers;
        for (const [path, body] of actions(code, bo.id, servers[0].id)) {
          const answer = await call(base(), 'POST', path, { key: READ_KEY, body });
          expect([path, answer.status, answer.body?.error?.code]).toEqual([path, 403, 'FORBIDDEN']);
        }
        // Nothing changed: both still seated, Ana still host, nothing in the room's history but them.
        const room = (await call(base(), 'GET', `/console/api/rooms/${code}`, { key: READ_KEY })).body;
        expect(room.seats.map((p: any) => [p.name, p.role, p.connected])).toEqual([
          ['Ana', 'host', true],
          ['Bo', 'player', true],
        ]);
        expect(room.log.filter((e: any) => e.type === 'console')).toEqual([]);
        const after = (await call(base(), 'GET', '/console/api/servers', { key: READ_KEY })).body.servers;
        expect(after.every((s: any) => !s.draining)).toBe(true);
      } finally {
        ana.close();
        bo.close();
      }
    });

    it('acts only when the action is confirmed, and never answers another origin', async () => {
      const { code, ana, bo } = await roomWithTwo();
      try {
        const unconfirmed = await call(base(), 'POST', `/console/api/rooms/${code}/kick`, {
          key: ADMIN_KEY,
          body: { playerId: bo.id },
        });
        expect([unconfirmed.status, unconfirmed.body.error.code]).toEqual([400, 'BAD_REQUEST']);
        const foreign = await call(base(), 'GET', '/console/api/overview', {
          key: ADMIN_KEY,
          origin: 'https://evil.example',
        });
        expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
        const kicked = await call(base(), 'POST', `/console/api/rooms/${code}/kick`, {
          key: ADMIN_KEY,
          body: { confirm: true, playerId: bo.id },
        });
        expect(kicked.status).toBe(200);
        const room = (await call(base(), 'GET', `/console/api/rooms/${code}`, { key: ADMIN_KEY })).body;
        expect(room.seats.map((p: any) => p.name)).toEqual(['Ana']);
        expect(room.log.map((e: any) => e.text)).toEqual(
          expect.arrayContaining(['console: kicked Bo', 'Bo was kicked']),
        );
        if (front === 'one game server') {
          const metrics = await (await fetch(`${base()}/metrics`)).text();
          expect(metrics).toMatch(/gamebuddies_console_actions_total\{action="kick"[^}]*\} 1/);
        }
      } finally {
        ana.close();
        bo.close();
      }
    });
  });
}

describe('a game server without API keys', () => {
  it('has no console at all', async () => {
    expect((await fetch(`${keyless.url}/console`)).status).toBe(404);
    const answer = await call(keyless.url, 'GET', '/console/api/overview', { key: ADMIN_KEY });
    expect([answer.status, answer.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });
});
