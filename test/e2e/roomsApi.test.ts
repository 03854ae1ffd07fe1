import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOM_CODE_ALPHABET } from '@gamebuddies/protocol';
import { startTestServer, TEST_API_KEY, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';

describe('Rooms API on a single process', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MAX_ROOMS: '5', SERVER_ID: 'rps-1' });
  });
  afterAll(() => server.stop());

  it('creates a room and returns join links on the server URL', async () => {
    const res = await server.api('/v1/rooms', {
      method: 'POST',
      json: { gameType: 'rps', hostName: 'Ana', maxPlayers: 6, settings: { rounds: 2 } },
    });
    expect(res.status).toBe(201);
    const room = res.body;
    expect(room.roomCode).toMatch(new RegExp(`^[${ROOM_CODE_ALPHABET}]{6}$`));
    expect(room).toMatchObject({
      gameType: 'rps',
      url: server.url,
      server: { id: 'rps-1', url: server.url },
    });
    expect(room.hostToken.length).toBeGreaterThanOrEqual(22); // >= 128 bits in base64url
    expect(room.hostJoinUrl).toBe(`${server.url}/?room=${room.roomCode}&role=host&token=${room.hostToken}`);
    expect(room.playerJoinUrl).toBe(`${server.url}/?room=${room.roomCode}&role=player`);
    expect(Date.parse(room.createdAt)).not.toBeNaN();

    const summary = await server.api(`/v1/rooms/${room.roomCode.toLowerCase()}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      roomCode: room.roomCode,
      gameType: 'rps',
      url: server.url,
      players: 0,
      maxPlayers: 6,
      phase: 'lobby',
      createdAt: room.createdAt,
    });
    expect(JSON.stringify(summary.body)).not.toContain(room.hostToken);
  });

  it('accepts the key in x-api-key and rejects missing or wrong keys with 401', async () => {
    expect((await server.api('/v1/servers/rps', { headers: { 'x-api-key': TEST_API_KEY } })).status).toBe(
      200,
    );
    expect(
      (await server.api('/v1/servers/rps', { headers: { authorization: 'Bearer second-key-0123456789' } }))
        .status,
    ).toBe(200);
    for (const headers of [
      { authorization: 'Bearer nope' },
      { 'x-api-key': 'nope' },
      { authorization: 'Basic abc' },
    ] as Record<string, string>[]) {
      const res = await server.api('/v1/rooms', { method: 'POST', json: { gameType: 'rps' }, headers });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it.each([
    ['missing gameType', {}, 'BAD_REQUEST'],
    ['maxPlayers out of range', { gameType: 'rps', maxPlayers: 1 }, 'BAD_REQUEST'],
    ['maxPlayers over 100', { gameType: 'rps', maxPlayers: 101 }, 'BAD_REQUEST'],
    ['hostName too long', { gameType: 'rps', hostName: 'x'.repeat(33) }, 'BAD_REQUEST'],
    ['settings not an object', { gameType: 'rps', settings: 'fast' }, 'BAD_REQUEST'],
    ['unknown game type', { gameType: 'chess' }, 'UNKNOWN_GAME_TYPE'],
    ['invalid game settings', { gameType: 'rps', settings: { rounds: 99 } }, 'INVALID_SETTINGS'],
    ['more players than the game allows', { gameType: 'rps', maxPlayers: 50 }, 'INVALID_SETTINGS'],
  ])('answers 400 for %s', async (_name, body, code) => {
    const res = await server.api('/v1/rooms', { method: 'POST', json: body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  });

  it('answers 400 for a body that is not JSON and 413 for one too large', async () => {
    const bad = await server.api('/v1/rooms', {
      method: 'POST',
      body: '{"gameType":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    const big = await server.api('/v1/rooms', {
      method: 'POST',
      json: { gameType: 'rps', settings: { x: 'y'.repeat(100_000) } },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 for unknown rooms and routes, 400-free for malformed codes', async () => {
    expect((await server.api('/v1/rooms/ZZZZZZ')).body.error.code).toBe('ROOM_NOT_FOUND');
    const malformed = await server.api('/v1/rooms/not-a-code');
    expect(malformed.status).toBe(404);
    expect(malformed.body.error.code).toBe('ROOM_NOT_FOUND');
    const route = await server.api('/v1/nothing');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('NOT_FOUND');
    expect((await server.api('/v1/servers/chess')).body.error.code).toBe('UNKNOWN_GAME_TYPE');
  });

  it('deletes a room: players get room:closed and the room is gone', async () => {
    const room = await server.createRoom();
    const host = await TestPlayer.join(server.url, {
      roomCode: room.roomCode,
      name: 'Host',
      token: room.hostToken,
    });
    const closed = host.next('room:closed');
    expect((await server.api(`/v1/rooms/${room.roomCode}`, { method: 'DELETE' })).status).toBe(204);
    expect(await closed).toEqual({ reason: 'deleted' });
    await host.disconnected();
    expect((await server.api(`/v1/rooms/${room.roomCode}`)).status).toBe(404);
    expect((await server.api(`/v1/rooms/${room.roomCode}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('reports the server with its load in the seed shape', async () => {
    const res = await server.api('/v1/servers/rps');
    expect(res.status).toBe(200);
    expect(res.body.servers).toHaveLength(1);
    const [entry] = res.body.servers;
    expect(entry).toMatchObject({ id: 'rps-1', url: server.url, health: 'healthy', maxRooms: 5 });
    expect(entry.currentRooms).toBeGreaterThan(0);
    expect(entry.load).toBe(Math.round((entry.currentRooms / 5) * 100));
    expect(typeof entry.players).toBe('number');
  });

  it('refuses rooms beyond MAX_ROOMS with 503 NO_CAPACITY', async () => {
    const { body } = await server.api('/v1/servers/rps');
    for (let i = body.servers[0].currentRooms; i < 5; i++) await server.createRoom();
    const res = await server.api('/v1/rooms', { method: 'POST', json: { gameType: 'rps' } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('NO_CAPACITY');
  });

  it('serves /health, /readyz and /metrics with the game metrics', async () => {
    const health = await server.api('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'healthy', rooms: 5 });
    expect(typeof health.body.uptime).toBe('number');
    expect(typeof health.body.players).toBe('number');
    expect((await server.api('/readyz')).status).toBe(200);
    const metrics = await server.api('/metrics');
    for (const name of [
      'gamebuddies_connected_sockets',
      'gamebuddies_rooms',
      'gamebuddies_room_players',
      'gamebuddies_game_state_updates_total',
      'gamebuddies_broadcast_latency_seconds',
      'gamebuddies_room_creation_seconds',
      'gamebuddies_player_join_seconds',
      'gamebuddies_games_completed_total',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(metrics.body).toContain(name);
    }
    expect(metrics.body).toMatch(/gamebuddies_rooms\{server_id="rps-1"\} 5/);
  });
});

describe('Rooms API without keys', () => {
  it('is disabled with a clear 401 while the page can still create rooms', async () => {
    const server = await startTestServer({ API_KEYS: '' });
    try {
      const res = await server.api('/v1/rooms', {
        method: 'POST',
        json: { gameType: 'rps' },
        headers: { 'x-api-key': 'x' },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/API_KEYS/);
      const open = await fetch(`${server.url}/play/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ gameType: 'rps', hostName: 'Ana' }),
      });
      expect(open.status).toBe(201);
      const room = (await open.json()) as any;
      const lookup = await fetch(`${server.url}/r/${room.roomCode}`, {
        headers: { accept: 'application/json' },
      });
      expect(await lookup.json()).toEqual({ roomCode: room.roomCode, url: server.url, namespace: '/rps' });
      const redirect = await fetch(`${server.url}/r/${room.roomCode}`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe(room.playerJoinUrl);
    } finally {
      await server.stop();
    }
  });

  it('keeps open creation off when OPEN_ROOM_CREATION=false', async () => {
    const server = await startTestServer({ OPEN_ROOM_CREATION: 'false' });
    try {
      const res = await fetch(`${server.url}/play/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ gameType: 'rps' }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    } finally {
      await server.stop();
    }
  });
});
