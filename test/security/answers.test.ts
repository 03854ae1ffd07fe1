import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FleetProcess } from '../helpers/fleetProcess.js';
import { httpRequest, type HttpAnswer } from '../helpers/nginx.js';
import { TestPlayer } from '../helpers/players.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TEST_API_KEY } from '../helpers/testServer.js';

// Answers and headers at the edge. Requests a fuzzer sends (broken bodies, odd paths, wrong methods,
// bad Socket.IO handshakes) against a game server and the fleet's router: every 4xx is
// `{ error: { code, message } }`, every answer carries the security headers, no answer sets a
// cookie, and CORS answers only configured origins, never with credentials.

const ALLOWED_ORIGIN = 'https://lobby.example.com';

interface Probe {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const auth = { authorization: `Bearer ${TEST_API_KEY}` };
const json = { 'content-type': 'application/json' };
const PROBES: Probe[] = [
  { path: '/nope' },
  { path: '/%' },
  { path: '/%E0%A4%A' },
  { path: '/r/%E0%A4%A' },
  { path: '/r/' + 'A'.repeat(300) },
  { path: '/v1/rooms/%ZZ', headers: auth },
  { path: '/v1/rooms' },
  { method: 'PUT', path: '/v1/rooms', headers: auth },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, ...json }, body: '{"gameType":' },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, ...json }, body: '[]' },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, ...json }, body: 'null' },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, ...json }, body: `{"a":"${'x'.repeat(70_000)}"}` },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' },
  { method: 'POST', path: '/v1/rooms', headers: { ...auth, ...json, 'content-encoding': 'br' }, body: '{}' },
  {
    method: 'POST',
    path: '/v1/rooms',
    headers: { ...auth, 'content-type': 'application/json; charset=utf-7' },
    body: '{}',
  },
  { method: 'POST', path: '/v1/rooms?wait=abc', headers: { ...auth, ...json }, body: '{"gameType":"rps"}' },
  {
    method: 'POST',
    path: '/v1/rooms',
    headers: { ...auth, ...json, 'idempotency-key': ' ' },
    body: '{"gameType":"rps"}',
  },
  { method: 'DELETE', path: '/v1/rooms/AAAAAA', headers: { authorization: 'Bearer short' } },
  { method: 'POST', path: '/play/rooms', headers: json, body: '{"gameType":"nope"}' },
  { method: 'POST', path: '/play/rooms', headers: json, body: '{' },
  { method: 'POST', path: '/internal/rooms/AAAAAA/claim' },
  { path: '/socket.io/' },
  { path: '/socket.io/?EIO=4&transport=carrier-pigeon' },
  { path: '/socket.io/?EIO=9&transport=polling' },
  { path: '/socket.io/?EIO=4&transport=polling&sid=nope' },
  { method: 'PUT', path: '/socket.io/?EIO=4&transport=polling' },
];

function expectSecurityHeaders(answer: HttpAnswer, what: string): void {
  const h = answer.headers;
  expect({ what, csp: h['content-security-policy'] }).toEqual({
    what,
    csp: expect.stringContaining("script-src 'self'"),
  });
  expect({
    what,
    referrer: h['referrer-policy'],
    nosniff: h['x-content-type-options'],
    frame: h['x-frame-options'],
  }).toEqual({
    what,
    referrer: 'no-referrer',
    nosniff: 'nosniff',
    frame: 'DENY',
  });
  expect({ what, cookie: h['set-cookie'] }).toEqual({ what, cookie: undefined });
}

function describeEdge(
  name: string,
  start: () => Promise<{ url: string; stop(): Promise<void> }>,
  pages: string[],
) {
  describe(name, () => {
    let target: { url: string; stop(): Promise<void> };
    beforeAll(async () => {
      target = await start();
    }, 60_000);
    afterAll(async () => {
      await target?.stop();
    });

    it('answers every 4xx with { error: { code, message } } and the security headers', async () => {
      const bare: string[] = [];
      for (const probe of PROBES) {
        const answer = await httpRequest(target.url + probe.path, {
          method: probe.method ?? 'GET',
          headers: probe.headers ?? {},
          ...(probe.body !== undefined ? { body: probe.body } : {}),
        });
        const what = `${probe.method ?? 'GET'} ${probe.path.slice(0, 60)} -> ${answer.status}`;
        expect(answer.status).toBeGreaterThanOrEqual(400);
        if (answer.status < 500) {
          const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
          if (typeof error?.code !== 'string' || typeof error.message !== 'string')
            bare.push(`${what}: ${answer.text.slice(0, 80)}`);
        }
        expectSecurityHeaders(answer, what);
      }
      expect(bare).toEqual([]);
    });

    it('sends the security headers on pages, health and the Socket.IO handshake too', async () => {
      for (const path of pages) {
        const answer = await httpRequest(target.url + path);
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
        expectSecurityHeaders(answer, path);
      }
    });

    it('answers CORS for configured origins only, and never with credentials', async () => {
      const ask = (origin: string, path: string, method = 'GET') =>
        httpRequest(target.url + path, {
          method,
          headers: { origin, ...(method === 'OPTIONS' ? { 'access-control-request-method': 'GET' } : {}) },
        });
      for (const path of ['/r/AAAAAA', '/v1/openapi.json', '/play/games']) {
        const allowed = await ask(ALLOWED_ORIGIN, path);
        expect({ path, acao: allowed.headers['access-control-allow-origin'] }).toEqual({
          path,
          acao: ALLOWED_ORIGIN,
        });
        const evil = await ask('https://evil.example.net', path);
        expect({ path, acao: evil.headers['access-control-allow-origin'] }).toEqual({
          path,
          acao: undefined,
        });
        for (const answer of [allowed, evil])
          expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      }
      const preflight = await ask(ALLOWED_ORIGIN, '/v1/rooms', 'OPTIONS');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
      if (pages.some((p) => p.startsWith('/socket.io/'))) {
        const socketIo = await ask('https://evil.example.net', '/socket.io/?EIO=4&transport=polling');
        expect(socketIo.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });
}

describeEdge(
  'a game server',
  async () => {
    const server = await ServerProcess.start('answers', { CORS_ORIGINS: ALLOWED_ORIGIN, LOG_LEVEL: 'warn' });
    return { url: server.url, stop: () => server.stop() };
  },
  ['/', '/health', '/metrics', '/play/games', '/socket.io/?EIO=4&transport=polling'],
);

describeEdge(
  "the local fleet's router",
  async () => {
    const fleet = await FleetProcess.start(1, { CORS_ORIGINS: ALLOWED_ORIGIN });
    return { url: fleet.url, stop: () => fleet.stop() };
  },
  ['/', '/health', '/metrics', '/play/games'],
);

describe('room:settings', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start('settings', { LOG_LEVEL: 'warn' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('is a typed BAD_REQUEST for anything but an object, and changes nothing', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Host' });
    const host = await TestPlayer.join(server.url, { roomCode: room.roomCode, token: room.hostToken });
    const version = host.joined!.room.version;
    for (const payload of [[], [{ rounds: 3 }], 'rounds', 3, true, null]) {
      const ack = await host.emit('room:settings', payload);
      expect({ payload, ack }).toEqual({
        payload,
        ack: { ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) },
      });
    }
    const after = await host.emit('room:chat', { text: 'still here' });
    expect(after).toEqual({ ok: true, version: version + 1 });
    host.close();
  });
});
