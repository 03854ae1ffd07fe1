import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';

const players: TestPlayer[] = [];
const join = async (...args: Parameters<typeof TestPlayer.join>) => {
  const player = await TestPlayer.join(...args);
  players.push(player);
  return player;
};
afterEach(() => {
  for (const p of players.splice(0)) p.close();
});

describe('joining a room', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RECONNECT_GRACE_MS: '400', JOIN_FAILURES_PER_MINUTE: '1000' });
  });
  afterAll(() => server.stop());

  it('lets the host join with the host token and players join by code', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Hana' });
    // The host name from the Rooms API is used when the host connects without one.
    const host = await join(server.url, { roomCode: room.roomCode, token: room.hostToken });
    expect(host.joined).toMatchObject({ roomCode: room.roomCode, role: 'host' });
    expect(host.joined!.sessionToken.length).toBeGreaterThanOrEqual(22);
    expect(host.latest!.hostId).toBe(host.id);
    expect(host.latest!.players).toEqual([{ id: host.id, name: 'Hana', role: 'host', connected: true }]);
    const v1 = host.latest!.version;

    const joinedSeen = host.next('player:joined');
    const bob = await join(server.url, { roomCode: room.roomCode.toLowerCase(), name: 'Bob' });
    expect(bob.joined).toMatchObject({ role: 'player' });
    expect(bob.latest!.players.map((p) => p.name)).toEqual(['Hana', 'Bob']);
    // One frame tells the host of the join and carries its new snapshot.
    const seen = await joinedSeen;
    expect(seen.playerId).toBe(bob.id);
    expect(seen.room.players.map((p) => p.name)).toEqual(['Hana', 'Bob']);
    expect(seen.room.version).toBe(v1 + 1);

    // Same name twice: the second player gets a distinct one.
    const bob2 = await join(server.url, { roomCode: room.roomCode, name: 'bob' });
    expect(bob2.latest!.players.find((p) => p.id === bob2.id)!.name).toBe('bob 2');
  });

  it('tells each member of a filling room of each join in one frame that shows the new player', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Hana', maxPlayers: 10 });
    const members = [await join(server.url, { roomCode: room.roomCode, token: room.hostToken })];
    for (let i = 1; i < 10; i++)
      members.push(await join(server.url, { roomCode: room.roomCode, name: `P${i}` }));
    const everyone = members.map((m) => m.id);
    // The last join's frames: every earlier member shows the full room.
    await Promise.all(
      members.slice(0, -1).map((m) => m.seen('player:joined', (e) => e.playerId === everyone[9])),
    );
    // Give any frame still on its way (a `room:state` the server should not send) time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    members.forEach((member, k) => {
      // The k-th member (0-based) saw its welcome, then one frame per player who joined after it.
      const events = member.received.map((r) => r.event);
      expect(events).toEqual(['room:joined', ...Array<string>(9 - k).fill('player:joined')]);
      expect(member.latest!.players.map((p) => p.id)).toEqual(everyone);
      expect(member.latest!.version).toBe(members[9]!.latest!.version);
    });
  });

  it('rejoins the same seat with the session token inside the window', async () => {
    const room = await server.createRoom();
    const host = await join(server.url, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const ann = await join(server.url, { roomCode: room.roomCode, name: 'Ann' });
    const seen = host.next('room:state', (s) => s.players.some((p) => p.id === ann.id && !p.connected));
    ann.close();
    await seen;

    const again = await join(server.url, { roomCode: room.roomCode, token: ann.sessionToken });
    expect(again.joined).toMatchObject({ playerId: ann.id, role: 'player', sessionToken: ann.sessionToken });
    const back = await host.seen('room:state', (s) => s.players.some((p) => p.id === ann.id && p.connected));
    expect(back.players).toHaveLength(2);

    // The host reloading its host link keeps the host seat.
    host.close();
    const hostAgain = await join(server.url, { roomCode: room.roomCode, token: room.hostToken });
    expect(hostAgain.joined).toMatchObject({ playerId: host.id, role: 'host' });
  });

  it('drops an older connection of the same player', async () => {
    const room = await server.createRoom();
    const first = await join(server.url, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const gone = first.disconnected();
    const second = await join(server.url, { roomCode: room.roomCode, token: first.sessionToken });
    await gone;
    expect(second.id).toBe(first.id);
    expect(second.latest!.players).toEqual([expect.objectContaining({ id: first.id, connected: true })]);
    // The dropped socket's disconnect must not unseat the new one.
    await new Promise((r) => setTimeout(r, 600));
    expect((await server.server.service.getRoom(room.roomCode)).players[0]!.connected).toBe(true);
  });

  it('releases the seat after the window and passes the host role to the longest-present player', async () => {
    const room = await server.createRoom();
    const host = await join(server.url, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const first = await join(server.url, { roomCode: room.roomCode, name: 'First' });
    const second = await join(server.url, { roomCode: room.roomCode, name: 'Second' });
    const left = first.next('player:left', (e) => e.playerId === host.id);
    host.close();
    expect(await left).toMatchObject({ playerId: host.id, reason: 'expired' });
    const state = await second.seen('room:state', (s) => s.hostId === first.id);
    expect(state.players.map((p) => [p.name, p.role])).toEqual([
      ['First', 'host'],
      ['Second', 'player'],
    ]);
    const refused = await TestPlayer.refused(server.url, {
      roomCode: room.roomCode,
      token: host.sessionToken,
    });
    expect(refused.message).toBe('INVALID_TOKEN');
    // The new host can use host powers.
    expect(await first.emit('room:kick', { playerId: second.id })).toMatchObject({ ok: true });
  });

  it.each([
    ['ROOM_NOT_FOUND', () => ({ roomCode: 'ZZZZZ9', name: 'X' })],
    ['ROOM_NOT_FOUND', () => ({ roomCode: 'not a code', name: 'X' })],
    ['BAD_REQUEST', (code: string) => ({ roomCode: code })],
    ['BAD_REQUEST', () => ({ name: 'No code' })],
    ['BAD_REQUEST', (code: string) => ({ roomCode: code, name: '' })],
    ['BAD_REQUEST', (code: string) => ({ roomCode: code, name: 'x'.repeat(33) })],
    ['BAD_REQUEST', (code: string) => ({ roomCode: code, name: 'X', token: 'short' })],
    ['BAD_REQUEST', () => ({ roomCode: 42, name: 'X' })],
  ])('refuses with connect_error %s', async (code, auth) => {
    const room = await server.createRoom();
    const refused = await TestPlayer.refused(server.url, auth(room.roomCode));
    expect(refused.message).toBe(code);
    expect(refused.data).toMatchObject({ code });
  });

  it('refuses a bad token, a full room, and a room of another game namespace', async () => {
    const room = await server.createRoom({ gameType: 'rps', maxPlayers: 2 });
    const bad = await TestPlayer.refused(server.url, {
      roomCode: room.roomCode,
      name: 'X',
      token: 'x'.repeat(43),
    });
    expect(bad.message).toBe('INVALID_TOKEN');
    await join(server.url, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    await join(server.url, { roomCode: room.roomCode, name: 'Two' });
    const full = await TestPlayer.refused(server.url, { roomCode: room.roomCode, name: 'Three' });
    expect(full.message).toBe('ROOM_FULL');
    const otherGame = await TestPlayer.refused(
      server.url,
      { roomCode: room.roomCode, name: 'X' },
      { gameType: 'nope' },
    );
    expect(otherGame.message).toBe('Invalid namespace');
  });

  it('works over HTTP long-polling too', async () => {
    const room = await server.createRoom();
    const host = await join(
      server.url,
      { roomCode: room.roomCode, name: 'Poll', token: room.hostToken },
      { transports: ['polling'] },
    );
    expect(await host.emit('room:chat', { text: 'over polling' })).toMatchObject({ ok: true });
  });
});

describe('brute-forcing room codes', () => {
  it('is refused with RATE_LIMITED after a few failed joins from one address', async () => {
    const server = await startTestServer({ JOIN_FAILURES_PER_MINUTE: '3' });
    try {
      const room = await server.createRoom();
      const codes: string[] = [];
      for (let i = 0; i < 4; i++)
        codes.push((await TestPlayer.refused(server.url, { roomCode: `ZZZZZ${i + 2}`, name: 'X' })).message);
      expect(codes).toEqual(['ROOM_NOT_FOUND', 'ROOM_NOT_FOUND', 'ROOM_NOT_FOUND', 'RATE_LIMITED']);
      // Even the right code is refused until the budget refills, so guessing gains nothing.
      const right = await TestPlayer.refused(server.url, { roomCode: room.roomCode, name: 'X' });
      expect(right.message).toBe('RATE_LIMITED');
    } finally {
      await server.stop();
    }
  });
});

describe('a draining server', () => {
  it('refuses joins with SERVER_DRAINING and rooms with 503, and closes rooms for its players', async () => {
    const server = await startTestServer();
    const room = await server.createRoom();
    const host = await join(server.url, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
    const closed = host.next('room:closed');
    const ack = host.emit('room:chat', { text: 'last words' });
    server.server.service.startDraining();
    const draining = await TestPlayer.refused(server.url, { roomCode: room.roomCode, name: 'Late' });
    expect(draining.message).toBe('SERVER_DRAINING');
    const create = await server.api('/v1/rooms', { method: 'POST', json: { gameType: 'rps' } });
    expect(create.status).toBe(503);
    expect(create.body.error.code).toBe('SERVER_DRAINING');
    const stopping = server.stop();
    // An action sent before the shutdown is still answered.
    expect(await ack).toMatchObject({ ok: true });
    expect(await closed).toEqual({ reason: 'server_shutdown' });
    await stopping;
  });
});
