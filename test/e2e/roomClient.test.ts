import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RoomClient, memoryStorage, type ClosedInfo } from '@gamebuddies/client';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';
import { waitUntil } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';

// The page's join/rejoin module, run from Node against a real server: it must keep its seat through
// dropped connections and server goodbyes, and stop for good when the seat is gone.

let server: TestServer;
const clients: RoomClient[] = [];
const players: TestPlayer[] = [];

beforeAll(async () => {
  server = await startTestServer({ ACTION_RATE_PER_SEC: '1000', ACTION_BURST: '1000' });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of players.splice(0)) p.close();
});
afterAll(() => server.stop());

function client(options: Partial<ConstructorParameters<typeof RoomClient>[0]> & { roomCode: string }) {
  const c = new RoomClient({ baseUrl: server.url, initialDelayMs: 20, maxDelayMs: 200, ...options });
  clients.push(c);
  return c;
}

/** Server-side sockets of one player (this server holds them all). */
function socketsOf(playerId: string, gameType = 'rps') {
  return [...server.server.io.of(`/${gameType}`).sockets.values()].filter(
    (s) => s.data.playerId === playerId,
  );
}

describe('RoomClient (web/src/roomClient.ts) from Node', () => {
  it('takes the host seat with the host token and keeps the session token it was given', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const storage = memoryStorage();
    const host = client({ roomCode: room.roomCode.toLowerCase(), token: room.hostToken, storage });
    const joined = await host.start();
    expect(joined.role).toBe('host');
    expect(host.status).toBe('connected');
    expect(host.room?.players.map((p) => p.name)).toEqual(['Ana']);
    expect(storage.get(`gb:session:${room.roomCode}`)).toBe(joined.sessionToken);
    expect(await host.act({ type: 'start' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'INVALID_ACTION' }),
    });
  });

  it("shows others joining from the join's one frame, with the version it carries", async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const host = client({ roomCode: room.roomCode, token: room.hostToken });
    await host.start();
    const states: number[] = [];
    host.on('state', (s) => states.push(s.players.length));
    const ben = client({ roomCode: room.roomCode, name: 'Ben' });
    const cy = client({ roomCode: room.roomCode, name: 'Cy' });
    await ben.start();
    await cy.start();
    await waitUntil(() => host.room?.players.length === 3);
    expect(host.room!.players.map((p) => p.name)).toEqual(['Ana', 'Ben', 'Cy']);
    expect(host.room!.version).toBe(cy.room!.version);
    // One state per join: the page renders each join once.
    expect(states).toEqual([2, 3]);

    // A server from before the one-frame join (met during a rolling upgrade) sends the join without
    // `room`, then its `room:state`: the client keeps going and shows that state.
    const [socket] = socketsOf(host.playerId!);
    const older = { ...host.room!, version: host.room!.version + 1, players: host.room!.players.slice(0, 2) };
    socket!.emit('player:joined', { playerId: 'p_old', name: 'Old', version: older.version } as never);
    socket!.emit('room:state', older);
    await waitUntil(() => host.room?.version === older.version);
    expect(host.status).toBe('connected');
    expect(host.room!.players.map((p) => p.name)).toEqual(['Ana', 'Ben']);
  });

  it('comes back to the same seat after the connection drops, and after a server goodbye', async () => {
    const room = await server.createRoom({ gameType: 'rps' });
    const ana = client({ roomCode: room.roomCode, name: 'Ana' });
    const { playerId } = await ana.start();
    const statuses: string[] = [];
    ana.on('status', (s) => statuses.push(s));

    // A network drop: the transport closes under the socket.
    for (const s of socketsOf(playerId)) s.conn.close();
    await waitUntil(() => statuses.includes('reconnecting') && ana.status === 'connected', 5000, 'a rejoin');
    expect(ana.playerId).toBe(playerId);

    // A server that says goodbye before it disconnects (rooms in a shared store): the client looks the
    // room up again and reconnects with its session token.
    statuses.length = 0;
    for (const s of socketsOf(playerId)) {
      s.emit('server:shutdown', { reconnect: true });
      s.disconnect(true);
    }
    await waitUntil(() => statuses.includes('reconnecting') && ana.status === 'connected', 5000, 'a rejoin');
    expect(ana.playerId).toBe(playerId);
    const current = await server.server.service.getRoom(room.roomCode);
    expect(current.players.map((p) => [p.id, p.connected])).toEqual([[playerId, true]]);
    expect(await ana.send('room:chat', { text: 'still here' })).toMatchObject({ ok: true });
  });

  it('stops for good when kicked, and when another window takes the seat', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Host' });
    const host = await TestPlayer.join(server.url, { roomCode: room.roomCode, token: room.hostToken });
    players.push(host);
    const storage = memoryStorage();
    const bob = client({ roomCode: room.roomCode, name: 'Bob', storage });
    const { playerId } = await bob.start();
    const closed = new Promise<ClosedInfo>((resolve) => bob.on('closed', resolve));
    await host.emit('room:kick', { playerId });
    expect(await closed).toMatchObject({ reason: 'room_closed:kicked' });
    expect(bob.status).toBe('closed');
    expect(storage.get(`gb:session:${room.roomCode}`)).toBeNull();

    const cat = client({ roomCode: room.roomCode, name: 'Cat' });
    const catSeat = await cat.start();
    const replaced = new Promise<ClosedInfo>((resolve) => cat.on('closed', resolve));
    const otherTab = await TestPlayer.join(server.url, {
      roomCode: room.roomCode,
      token: catSeat.sessionToken,
    });
    players.push(otherTab);
    expect(await replaced).toMatchObject({ reason: 'replaced' });
    expect(otherTab.id).toBe(catSeat.playerId);
  });

  it('reports a room that does not exist, and falls back to a new seat when a stored session expired', async () => {
    await expect(client({ roomCode: 'ZZZZZZ', name: 'Ana' }).start()).rejects.toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    const room = await server.createRoom({ gameType: 'rps' });
    const storage = memoryStorage();
    storage.set(`gb:session:${room.roomCode}`, 'expired-session-token-0123456789');
    const ana = client({ roomCode: room.roomCode, name: 'Ana', storage });
    const joined = await ana.start();
    expect(joined.room.players.map((p) => p.name)).toEqual(['Ana']);
    expect(storage.get(`gb:session:${room.roomCode}`)).toBe(joined.sessionToken);
  });
  it('connects straight to a server it was given, and looks the room up when that was the wrong place', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const here = { url: server.url, namespace: '/rps' };

    // Nothing answers at the lookup's address: the join can only have gone to the given server.
    const direct = client({ baseUrl: nowhere, server: here, roomCode: room.roomCode, name: 'Ben' });
    expect((await direct.start()).role).toBe('player');

    // A server that does not hold the room (here: another game's namespace says ROOM_NOT_FOUND), and
    // one that cannot be reached: the client asks the lookup and joins, without showing a reconnect.
    for (const [name, wrong] of [
      ['Cy', { url: server.url, namespace: '/ddf' }],
      ['Di', { url: nowhere, namespace: '/rps' }],
    ] as const) {
      const c = client({ server: wrong, roomCode: room.roomCode, name });
      const statuses: string[] = [];
      c.on('status', (status) => statuses.push(status));
      await c.start();
      expect(c.room?.players.map((p) => p.name)).toContain(name);
      expect(statuses).toEqual(['connected']);
    }

    // A room that does not exist anywhere is still reported as such after the lookup.
    const gone = client({ server: here, roomCode: 'ZZZZZ9', name: 'Ed' });
    await expect(gone.start()).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });
});
