import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RoomClient, memoryStorage } from '@gamebuddies/client';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';
import { waitUntil } from '../helpers/wait.js';

// A network that dies without anyone saying so: no close, no error, the packets just stop. The
// Socket.IO heartbeat (PING_INTERVAL_MS + PING_TIMEOUT_MS) is what notices it, on both sides.

const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1000;

let server: TestServer;
const clients: RoomClient[] = [];
const players: TestPlayer[] = [];

beforeAll(async () => {
  server = await startTestServer({
    PING_INTERVAL_MS: String(PING_INTERVAL_MS),
    PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
  });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of players.splice(0)) p.close();
});
afterAll(() => server?.stop());

/** The engine.io socket under a Socket.IO client: silencing it is a network gone quiet. */
interface Engine {
  _sendPacket?: unknown;
  sendPacket?: unknown;
  onPacket: (packet: unknown) => void;
}

function silence(engine: Engine): void {
  // Nothing more is sent or received, as when the link goes dead under an open connection.
  engine.onPacket = () => undefined;
  if (engine._sendPacket) engine._sendPacket = () => undefined;
  if (engine.sendPacket) engine.sendPacket = () => undefined;
}

describe('the heartbeat', () => {
  it('shows a player whose network went silent as offline within ping interval + timeout', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const host = await TestPlayer.join(server.url, { roomCode: room.roomCode, token: room.hostToken });
    const ben = await TestPlayer.join(server.url, { roomCode: room.roomCode, name: 'Ben' });
    players.push(host, ben);

    const silent = Date.now();
    silence((ben.socket.io as unknown as { engine: Engine }).engine);
    const seen = await host.next(
      'room:state',
      (s) => s.players.find((p) => p.name === 'Ben')?.connected === false,
      10_000,
    );
    expect(seen).toBeTruthy();
    // Worst case one interval plus one timeout, and a little for the write and the broadcast.
    expect(Date.now() - silent).toBeLessThan(PING_INTERVAL_MS + PING_TIMEOUT_MS + 1500);
  });

  it('lets the client notice a silent server in the same time, and say it is reconnecting', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const ana = new RoomClient({
      baseUrl: server.url,
      roomCode: room.roomCode,
      token: room.hostToken,
      storage: memoryStorage(),
      initialDelayMs: 5000,
    });
    clients.push(ana);
    await ana.start();
    const statuses: string[] = [];
    ana.on('status', (status) => statuses.push(status));

    const silent = Date.now();
    const engine = (ana as unknown as { socket: { io: { engine: Engine } } }).socket.io.engine;
    silence(engine);
    await waitUntil(() => statuses.includes('reconnecting'), 10_000, 'the client to notice');
    expect(Date.now() - silent).toBeLessThan(PING_INTERVAL_MS + PING_TIMEOUT_MS + 1500);
    // Meanwhile an action is refused at once rather than sent into the void.
    expect(await ana.act({ type: 'start' })).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });

  it('drops the connection at once when the device says it is offline, and comes back when online', async () => {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Ana' });
    const ana = new RoomClient({
      baseUrl: server.url,
      roomCode: room.roomCode,
      token: room.hostToken,
      storage: memoryStorage(),
    });
    clients.push(ana);
    const joined = await ana.start();
    ana.networkChanged(false);
    expect(ana.status).toBe('offline');
    expect(await ana.send('room:chat', { text: 'hello?' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_CONNECTED', message: expect.stringContaining('offline') },
    });
    await waitUntil(
      async () =>
        (await server.server.service.getRoom(room.roomCode)).players.find((p) => p.id === joined.playerId)
          ?.connected === false,
      5000,
      'the seat to show offline',
    );
    ana.networkChanged(true);
    await waitUntil(() => ana.status === 'connected', 5000, 'the client to be back');
    expect(ana.playerId).toBe(joined.playerId);
  });
});
