import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestPlayer } from '../helpers/players.js';
import { OpenApiValidator } from './openApiValidator.js';

export const ADMIN_KEY = 'test-key-0123456789abcdef';
export const READ_KEY = 'read-only-key-0123456789';
/** API_KEYS for every target of the contract: one admin key, one read-only key. */
export const CONTRACT_API_KEYS = `${ADMIN_KEY},${READ_KEY}:read`;

export interface RoomsApiTarget {
  /** Base URL of the Rooms API: where `/v1/...` and `/r/:code` are served. */
  baseUrl: string;
  stop(): Promise<void>;
}

interface Call {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * The Rooms API contract, run unchanged against every backend (single process, local fleet,
 * Kubernetes). Every response is also checked against the OpenAPI document the target serves.
 */
export function describeRoomsApiContract(name: string, start: () => Promise<RoomsApiTarget>): void {
  describe(`Rooms API contract: ${name}`, () => {
    let target: RoomsApiTarget;
    let openApi: OpenApiValidator;
    const players: TestPlayer[] = [];

    const call = async (
      method: string,
      path: string,
      init: { json?: unknown; body?: string; key?: string | null; headers?: Record<string, string> } = {},
    ): Promise<Call> => {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? ADMIN_KEY : init.key;
      if (key) headers.authorization = `Bearer ${key}`;
      if (init.json !== undefined || init.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(target.baseUrl + path, {
        method,
        headers,
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
        redirect: 'manual',
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body, headers: response.headers };
    };
    /** A call whose answer must match the OpenAPI document for `docPath`. */
    const checked = async (
      method: string,
      path: string,
      docPath: string,
      init: Parameters<typeof call>[2] = {},
    ) => {
      const result = await call(method, path, init);
      openApi.check(docPath, method, result.status, result.body);
      return result;
    };
    const create = (json: unknown, init: Parameters<typeof call>[2] = {}) =>
      checked('POST', '/v1/rooms', '/v1/rooms', { json, ...init });

    beforeAll(async () => {
      target = await start();
      const doc = await call('GET', '/v1/openapi.json', { key: null });
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      openApi = new OpenApiValidator(doc.body);
    });
    afterAll(async () => {
      for (const p of players) p.close();
      await target?.stop();
    });

    it('creates a room whose join links lead players into it', async () => {
      const created = await create({
        gameType: 'rps',
        hostName: 'Ana',
        maxPlayers: 6,
        settings: { rounds: 2 },
      });
      expect(created.status).toBe(201);
      const room = created.body;
      expect(room).toMatchObject({ gameType: 'rps', phase: 'Ready' });
      expect(room.playerJoinUrl).toBe(`${target.baseUrl}/r/${room.roomCode}`);
      // The host token is in the fragment: browsers never send it to a server (no access log).
      expect(room.hostJoinUrl).toBe(`${target.baseUrl}/r/${room.roomCode}?role=host#token=${room.hostToken}`);
      expect(room.server.url).toBe(room.url);

      // A browser following the host link lands on the room's page on its server (the browser
      // carries the fragment over the redirect).
      const hostRedirect = await call('GET', `/r/${room.roomCode}?role=host`, { key: null });
      expect(hostRedirect.status).toBe(302);
      expect(hostRedirect.headers.get('location')).toBe(`${room.url}/?room=${room.roomCode}&role=host`);
      // An old link with the token in the query still works; the token moves into the fragment.
      const legacy = await call('GET', `/r/${room.roomCode}?role=host&token=${room.hostToken}`, {
        key: null,
      });
      expect(legacy.headers.get('location')).toBe(
        `${room.url}/?room=${room.roomCode}&role=host#token=${room.hostToken}`,
      );
      expect(legacy.headers.get('deprecation')).toBe('true');
      const playerRedirect = await call('GET', `/r/${room.roomCode}`, { key: null });
      expect(playerRedirect.headers.get('location')).toBe(`${room.url}/?room=${room.roomCode}&role=player`);

      // A client library asks for JSON and connects where it is told.
      const located = await checked('GET', `/r/${room.roomCode.toLowerCase()}`, '/r/{code}', {
        key: null,
        headers: { accept: 'application/json' },
      });
      expect(located.body).toEqual({ roomCode: room.roomCode, url: room.url, namespace: '/rps' });
      const host = await TestPlayer.join(located.body.url, {
        roomCode: room.roomCode,
        token: room.hostToken,
      });
      players.push(host);
      expect(host.joined).toMatchObject({ role: 'host' });
      expect(host.latest!.players[0]!.name).toBe('Ana');

      const summary = await checked('GET', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}');
      expect(summary.body).toMatchObject({
        roomCode: room.roomCode,
        gameType: 'rps',
        players: 1,
        maxPlayers: 6,
        url: room.url,
      });
      expect(JSON.stringify(summary.body)).not.toContain(room.hostToken);
    });

    it('closes a room on DELETE: players are told and the room is gone', async () => {
      const room = (await create({ gameType: 'rps' })).body;
      const host = await TestPlayer.join(room.url, {
        roomCode: room.roomCode,
        name: 'Host',
        token: room.hostToken,
      });
      players.push(host);
      const closed = host.next('room:closed');
      expect((await checked('DELETE', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}')).status).toBe(204);
      expect(await closed).toEqual({ reason: 'deleted' });
      expect((await checked('GET', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}')).status).toBe(404);
      expect((await checked('DELETE', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}')).status).toBe(404);
      const lookup = await checked('GET', `/r/${room.roomCode}`, '/r/{code}', {
        key: null,
        headers: { accept: 'application/json' },
      });
      expect(lookup.status).toBe(404);
      expect(lookup.body.error.code).toBe('ROOM_NOT_FOUND');
    });

    it('lists the servers of a game type in the seed shape', async () => {
      const res = await checked('GET', '/v1/servers/rps', '/v1/servers/{gameType}');
      expect(res.status).toBe(200);
      expect(res.body.servers.length).toBeGreaterThan(0);
      for (const server of res.body.servers) expect(server.health).toBe('healthy');
      const unknown = await checked('GET', '/v1/servers/chess', '/v1/servers/{gameType}');
      expect(unknown.body.error.code).toBe('UNKNOWN_GAME_TYPE');
    });

    it('answers 401 without a valid key and 403 when a read-only key writes', async () => {
      for (const key of [null, 'not-a-key-at-all-000']) {
        const res = await create({ gameType: 'rps' }, { key });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
      }
      const viaHeader = await call('GET', '/v1/servers/rps', {
        key: null,
        headers: { 'x-api-key': ADMIN_KEY },
      });
      expect(viaHeader.status).toBe(200);
      const readCreate = await create({ gameType: 'rps' }, { key: READ_KEY });
      expect(readCreate.status).toBe(403);
      expect(readCreate.body.error.code).toBe('FORBIDDEN');
      const room = (await create({ gameType: 'rps' })).body;
      expect(
        (await checked('GET', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}', { key: READ_KEY })).status,
      ).toBe(200);
      expect(
        (await checked('DELETE', `/v1/rooms/${room.roomCode}`, '/v1/rooms/{code}', { key: READ_KEY })).status,
      ).toBe(403);
    });

    it.each([
      ['no gameType', {}, 'BAD_REQUEST'],
      ['maxPlayers below 2', { gameType: 'rps', maxPlayers: 1 }, 'BAD_REQUEST'],
      ['maxPlayers above 100', { gameType: 'rps', maxPlayers: 101 }, 'BAD_REQUEST'],
      ['a name too long', { gameType: 'rps', hostName: 'x'.repeat(33) }, 'BAD_REQUEST'],
      ['settings not an object', { gameType: 'rps', settings: [1] }, 'BAD_REQUEST'],
      ['an unknown game', { gameType: 'chess' }, 'UNKNOWN_GAME_TYPE'],
      ['settings the game refuses', { gameType: 'rps', settings: { rounds: 99 } }, 'INVALID_SETTINGS'],
    ])('answers 400 for %s', async (_label, body, code) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
    });

    it('answers 400 for a body that is not JSON and 413 for a huge one', async () => {
      const notJson = await checked('POST', '/v1/rooms', '/v1/rooms', { body: '{"gameType":' });
      expect(notJson.status).toBe(400);
      const huge = await create({ gameType: 'rps', settings: { blob: 'x'.repeat(200_000) } });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      const badWait = await checked('POST', '/v1/rooms?wait=99', '/v1/rooms', { json: { gameType: 'rps' } });
      expect(badWait.status).toBe(400);
    });

    it('returns the same room for a retried create with the same Idempotency-Key', async () => {
      const key = `retry-${Date.now()}-${Math.random()}`;
      const body = { gameType: 'rps', hostName: 'Idem' };
      const first = await create(body, { headers: { 'idempotency-key': key } });
      const again = await create(body, { headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const reused = await create(
        { gameType: 'rps', hostName: 'Other' },
        { headers: { 'idempotency-key': key } },
      );
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherKey = await create(body, { headers: { 'idempotency-key': `${key}-2` } });
      expect(otherKey.body.roomCode).not.toBe(first.body.roomCode);

      // Retries racing each other still make one room.
      const raceKey = `race-${Date.now()}`;
      const racing = await Promise.all(
        Array.from({ length: 4 }, () => create(body, { headers: { 'idempotency-key': raceKey } })),
      );
      const codes = new Set(racing.filter((r) => r.status === 201).map((r) => r.body.roomCode));
      expect(codes.size).toBe(1);
      for (const r of racing) expect([201, 409]).toContain(r.status);
    });
  });
}
