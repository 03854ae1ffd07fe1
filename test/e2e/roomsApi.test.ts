import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOM_CODE_ALPHABET } from '@gamebuddies/protocol';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

describe('Rooms API on a single process', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MAX_ROOMS: '5', SERVER_ID: 'rps-1' });
  });
  afterAll(() => server.stop());

  it('creates rooms on its own URL, in the lobby phase', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    expect(room.roomCode).toMatch(new RegExp(`^[${ROOM_CODE_ALPHABET}]{6}$`));
    expect(room).toMatchObject({ url: server.url, server: { id: 'rps-1', url: server.url }, phase: 'Ready' });
    expect((await server.api(`/v1/rooms/${room.roomCode}`)).body.phase).toBe('lobby');
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
    expect(health.body).toMatchObject({ status: 'healthy', rooms: 5, serverId: 'rps-1' });
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
    // The memory alert divides RSS by this; it must be a real, positive limit.
    const limit = Number(/gamebuddies_memory_limit_bytes\{[^}]*\} (\d+)/.exec(metrics.body)?.[1]);
    expect(limit).toBeGreaterThan(64 * 1024 * 1024);
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
      const redirect = await fetch(room.playerJoinUrl, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe(`${server.url}/?room=${room.roomCode}&role=player`);
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

describe('the public room lookup', () => {
  it('refuses an address that keeps asking for rooms that do not exist', async () => {
    const server = await startTestServer({ JOIN_FAILURES_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (await fetch(`${server.url}/r/ZZZZZ${i + 2}`, { headers: { accept: 'application/json' } })).status,
        );
      }
      expect(statuses).toEqual([404, 404, 404, 429]);
    } finally {
      await server.stop();
    }
  });
});
