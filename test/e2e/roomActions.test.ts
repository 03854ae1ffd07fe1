import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';

const players: TestPlayer[] = [];
afterEach(() => {
  for (const p of players.splice(0)) p.close();
});

async function roomWith(
  server: TestServer,
  names: string[],
  body: Record<string, unknown> = { gameType: 'rps' },
) {
  const room = await server.createRoom(body);
  const [hostName, ...others] = names;
  const host = await TestPlayer.join(server.url, {
    roomCode: room.roomCode,
    name: hostName!,
    token: room.hostToken,
  });
  players.push(host);
  const rest: TestPlayer[] = [];
  for (const name of others) {
    const p = await TestPlayer.join(server.url, { roomCode: room.roomCode, name });
    players.push(p);
    rest.push(p);
  }
  return { room, host, players: rest };
}

describe('actions in a room', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ACTION_RATE_PER_SEC: '1000', ACTION_BURST: '1000' });
  });
  afterAll(() => server.stop());

  it('broadcasts chat with an ack carrying the new version and keeps the last 100 messages', async () => {
    const {
      host,
      players: [bob],
    } = await roomWith(server, ['Host', 'Bob']);
    const before = host.latest!.version;
    const heard = bob!.next('chat:message');
    const ack = await host.emit('room:chat', { text: '  hello  ' });
    expect(ack).toEqual({ ok: true, version: before + 1 });
    const { message, version } = await heard;
    expect(message).toMatchObject({ playerId: host.id, name: 'Host', text: 'hello' });
    expect(version).toBe(before + 1);

    for (let i = 0; i < 105; i++) await bob!.emit('room:chat', { text: `m${i}` });
    const late = await TestPlayer.join(server.url, {
      roomCode: host.joined!.roomCode,
      token: bob!.sessionToken,
    });
    players.push(late);
    expect(late.latest!.chat).toHaveLength(100);
    expect(late.latest!.chat.at(-1)!.text).toBe('m104');
    // 1 + 105 chat messages, then the rejoin itself (the seat changed connection).
    expect(late.latest!.version).toBe(before + 107);
  });

  it('plays a game: acks, versions, broadcasts, and choices hidden until the reveal', async () => {
    const {
      host,
      players: [bob, cat],
    } = await roomWith(server, ['Host', 'Bob', 'Cat'], {
      gameType: 'rps',
      settings: { rounds: 1, roundSeconds: 60 },
    });
    const started = await host.emit('game:action', { type: 'start' });
    expect(started.ok).toBe(true);
    const playing = await cat!.seen('room:state', (s) => s.phase === 'playing');
    expect(playing.game).toMatchObject({ stage: 'choosing', round: 1, rounds: 1 });

    const bobSees = bob!.next('room:state', (s) => (s.game as any).chosen.includes(host.id));
    const ack = await host.emit('game:action', { type: 'choose', choice: 'rock' });
    expect(ack).toMatchObject({ ok: true, version: (started as any).version + 1 });
    const view = (await bobSees).game as any;
    expect(view.myChoice).toBeNull();
    // Nothing in Bob's view may reveal the host's choice.
    expect(JSON.stringify(await bobSees)).not.toContain('rock');
    expect(
      (host.latest!.game as any).myChoice ??
        (await host.seen('room:state', (s) => (s.game as any).myChoice)).game,
    ).toBeTruthy();

    expect(await host.emit('game:action', { type: 'choose', choice: 'paper' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ACTION' },
    });
    await bob!.emit('game:action', { type: 'choose', choice: 'scissors' });
    const reveal = cat!.next('room:state', (s) => (s.game as any).stage === 'reveal');
    await cat!.emit('game:action', { type: 'choose', choice: 'paper' });
    const revealed = (await reveal).game as any;
    expect(revealed.lastRound.choices).toEqual({
      [host.id]: 'rock',
      [bob!.id]: 'scissors',
      [cat!.id]: 'paper',
    });
    expect(revealed.lastRound.points).toEqual({ [host.id]: 1, [bob!.id]: 1, [cat!.id]: 1 });

    const finished = bob!.next('room:state', (s) => s.phase === 'finished');
    expect(await bob!.emit('game:action', { type: 'next' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_HOST' },
    });
    await host.emit('game:action', { type: 'next' });
    const end = await finished;
    expect(end.results).toEqual({
      scores: { [host.id]: 1, [bob!.id]: 1, [cat!.id]: 1 },
      winners: [host.id, bob!.id, cat!.id],
    });
    const metrics = await server.api('/metrics');
    expect(metrics.body).toMatch(
      /gamebuddies_games_completed_total\{game_type="rps",server_id="[^"]+"\} [1-9]/,
    );
  });

  it('runs game timers on the server: a round ends when its time is up', async () => {
    const {
      host,
      players: [bob],
    } = await roomWith(server, ['Host', 'Bob'], {
      gameType: 'rps',
      settings: { rounds: 1, roundSeconds: 5 },
    });
    await host.emit('game:action', { type: 'start' });
    await host.emit('game:action', { type: 'choose', choice: 'paper' });
    const revealed = await bob!.next('room:state', (s) => (s.game as any).stage === 'reveal', 8000);
    expect((revealed.game as any).lastRound.choices).toEqual({ [host.id]: 'paper', [bob!.id]: null });
  });

  it('lets the host kick: the kicked player is told and cannot come back with its token', async () => {
    const {
      room,
      host,
      players: [bob, cat],
    } = await roomWith(server, ['Host', 'Bob', 'Cat']);
    const closed = bob!.next('room:closed');
    const left = cat!.next('player:left');
    expect(await cat!.emit('room:kick', { playerId: bob!.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_HOST' },
    });
    expect(await host.emit('room:kick', { playerId: host.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ACTION' },
    });
    expect(await host.emit('room:kick', { playerId: 'p_nobody' })).toMatchObject({
      ok: false,
      error: { code: 'PLAYER_NOT_FOUND' },
    });
    expect(await host.emit('room:kick', { playerId: bob!.id })).toMatchObject({ ok: true });
    expect(await closed).toEqual({ reason: 'kicked' });
    expect(await left).toMatchObject({ playerId: bob!.id, reason: 'kicked' });
    await bob!.disconnected();
    const refused = await TestPlayer.refused(server.url, {
      roomCode: room.roomCode,
      token: bob!.sessionToken,
    });
    expect(refused.message).toBe('INVALID_TOKEN');
  });

  it('transfers the host role', async () => {
    const {
      host,
      players: [bob],
    } = await roomWith(server, ['Host', 'Bob']);
    expect(await bob!.emit('room:transfer-host', { playerId: bob!.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_HOST' },
    });
    expect(await host.emit('room:transfer-host', { playerId: bob!.id })).toMatchObject({ ok: true });
    const state = await host.seen('room:state', (s) => s.hostId === bob!.id);
    expect(state.players.map((p) => p.role)).toEqual(['player', 'host']);
    expect(await host.emit('room:settings', { rounds: 2 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_HOST' },
    });
    expect(await bob!.emit('room:settings', { rounds: 2, maxPlayers: 4 })).toMatchObject({ ok: true });
    const updated = await host.seen('room:state', (s) => s.settings.rounds === 2);
    expect(updated.maxPlayers).toBe(4);
    expect(await bob!.emit('room:settings', { rounds: 0 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_SETTINGS' },
    });
    expect(await bob!.emit('room:settings', { maxPlayers: 1 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it('lets a player leave for good', async () => {
    const {
      host,
      players: [bob],
    } = await roomWith(server, ['Host', 'Bob']);
    const left = host.next('player:left');
    expect(await bob!.emit('room:leave', {})).toMatchObject({ ok: true });
    expect(await left).toMatchObject({ playerId: bob!.id, reason: 'left' });
    await bob!.disconnected();
  });

  it('answers malformed payloads with typed errors and leaves the room untouched', async () => {
    const { room, host } = await roomWith(server, ['Host', 'Bob']);
    const version = (await server.server.service.getRoom(room.roomCode)).version;
    const bad: Array<[string, unknown, string]> = [
      ['room:chat', {}, 'BAD_REQUEST'],
      ['room:chat', { text: '' }, 'BAD_REQUEST'],
      ['room:chat', { text: 'x'.repeat(501) }, 'BAD_REQUEST'],
      ['room:chat', 'hello', 'BAD_REQUEST'],
      ['room:chat', null, 'BAD_REQUEST'],
      ['game:action', {}, 'BAD_REQUEST'],
      ['game:action', { type: 'fly' }, 'INVALID_ACTION'],
      ['game:action', { type: 'choose', choice: 'lizard' }, 'INVALID_ACTION'],
      ['game:action', { type: 'choose' }, 'INVALID_ACTION'],
      ['game:action', { type: 'next' }, 'INVALID_ACTION'],
      ['room:kick', { playerId: 42 }, 'BAD_REQUEST'],
      ['room:transfer-host', [], 'BAD_REQUEST'],
      ['room:settings', { maxPlayers: 'many' }, 'BAD_REQUEST'],
    ];
    for (const [event, payload, code] of bad) {
      expect([event, await host.emit(event, payload)]).toEqual([
        event,
        { ok: false, error: { code, message: expect.any(String) } },
      ]);
    }
    // An event without an ack is dropped, an unknown event is ignored; the connection and room survive.
    host.socket.emit('room:chat', { text: 'no ack' });
    host.socket.emit('no:such:event', { x: 1 });
    expect((await server.server.service.getRoom(room.roomCode)).version).toBe(version);
    expect(await host.emit('room:chat', { text: 'still here' })).toEqual({ ok: true, version: version + 1 });
    expect((await server.api('/health')).body.status).toBe('healthy');
  });

  it('disconnects a client that sends an oversized packet, and keeps serving others', async () => {
    const {
      host,
      players: [bob],
    } = await roomWith(server, ['Host', 'Bob']);
    const gone = bob!.disconnected();
    bob!.socket.emit('room:chat', { text: 'x'.repeat(200_000) }, () => undefined);
    await gone;
    expect(await host.emit('room:chat', { text: 'fine' })).toMatchObject({ ok: true });
  });
});

describe('per-socket rate limit', () => {
  it('refuses actions past the burst with RATE_LIMITED and recovers', async () => {
    const server = await startTestServer({ ACTION_RATE_PER_SEC: '5', ACTION_BURST: '5' });
    try {
      const { host } = await roomWith(server, ['Host']);
      const acks = await Promise.all(
        Array.from({ length: 8 }, (_, i) => host.emit('room:chat', { text: `spam ${i}` })),
      );
      const limited = acks.filter((a) => !a.ok);
      expect(limited.length).toBeGreaterThanOrEqual(2);
      for (const a of limited) expect(a).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      await new Promise((r) => setTimeout(r, 600));
      expect(await host.emit('room:chat', { text: 'later' })).toMatchObject({ ok: true });
    } finally {
      for (const p of players.splice(0)) p.close();
      await server.stop();
    }
  });
});
