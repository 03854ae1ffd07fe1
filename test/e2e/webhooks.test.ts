import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookEvent } from '@gamebuddies/rooms-api';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';
import { waitUntil } from '../helpers/wait.js';

const SECRET = 'webhook-secret-0123456789';

/** GameBuddies' side: a real HTTP receiver on loopback that checks signatures like a user would. */
class Receiver {
  readonly deliveries: Array<{ event: WebhookEvent; valid: boolean; headers: Record<string, unknown> }> = [];
  /** Answer 503 to the next N deliveries of this event type. */
  readonly failures = new Map<string, number>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const signature = String(req.headers['x-gamebuddies-signature'] ?? '');
        this.deliveries.push({
          event: JSON.parse(body),
          valid: verifyWebhook(SECRET, body, signature),
          headers: req.headers,
        });
        const event = JSON.parse(body) as WebhookEvent;
        const failing = this.failures.get(event.type) ?? 0;
        if (failing > 0) {
          this.failures.set(event.type, failing - 1);
          res.writeHead(503).end();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  events(type: string, roomCode: string) {
    return this.deliveries.filter((d) => d.event.type === type && d.event.data.roomCode === roomCode);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('webhooks to GameBuddies', () => {
  const receiver = new Receiver();
  let server: TestServer;
  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer({
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      RECONNECT_GRACE_MS: '300',
    });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.stop();
  });

  it('reports a room from creation to results, signed, one event per change', async () => {
    const room = await server.createRoom({ gameType: 'rps', settings: { rounds: 1 } });
    const code = room.roomCode;
    await waitUntil(() => receiver.events('room.ready', code).length === 1);
    const host = await TestPlayer.join(server.url, { roomCode: code, name: 'Host', token: room.hostToken });
    const bob = await TestPlayer.join(server.url, { roomCode: code, name: 'Bob' });
    await host.emit('game:action', { type: 'start' });
    await host.emit('game:action', { type: 'choose', choice: 'rock' });
    await bob.emit('game:action', { type: 'choose', choice: 'paper' });
    await host.emit('game:action', { type: 'next' });
    await waitUntil(() => receiver.events('game.finished', code).length === 1);
    const finished = receiver.events('game.finished', code)[0]!.event;
    expect(finished.data).toMatchObject({ gameType: 'rps', results: { winners: [bob.id] } });
    expect(finished.data.players).toEqual([
      { playerId: host.id, name: 'Host', role: 'host' },
      { playerId: bob.id, name: 'Bob', role: 'player' },
    ]);
    expect(await host.emit('room:return-to-lobby', {})).toMatchObject({ ok: true });
    expect(await bob.emit('room:return-to-lobby', {})).toMatchObject({
      ok: false,
      error: { code: 'NOT_HOST' },
    });
    await waitUntil(() => receiver.events('room.returned_to_lobby', code).length === 1);
    bob.close();
    await waitUntil(() => receiver.events('player.left', code).length === 1);
    await server.api(`/v1/rooms/${code}`, { method: 'DELETE' });
    await waitUntil(() => receiver.events('room.closed', code).length === 1);
    host.close();

    const types = receiver.deliveries.filter((d) => d.event.data.roomCode === code).map((d) => d.event.type);
    expect(types).toEqual([
      'room.ready',
      'player.joined',
      'player.joined',
      'room.phase_changed',
      'room.phase_changed',
      'game.finished',
      'room.phase_changed',
      'room.returned_to_lobby',
      'player.status',
      'player.left',
      'room.closed',
    ]);
    expect(receiver.events('player.left', code)[0]!.event.data).toMatchObject({
      playerId: bob.id,
      reason: 'expired',
    });
    expect(receiver.events('room.phase_changed', code).map((d) => d.event.data.to)).toEqual([
      'playing',
      'finished',
      'lobby',
    ]);
    for (const d of receiver.deliveries) {
      expect(d.valid).toBe(true);
      expect(d.headers['x-gamebuddies-event']).toBe(d.event.type);
      expect(d.headers['x-gamebuddies-delivery']).toBe(d.event.id);
    }
  });

  it('retries a failed delivery with the same event id without holding up the game', async () => {
    receiver.failures.set('room.ready', 2);
    const room = await server.createRoom();
    const host = await TestPlayer.join(server.url, {
      roomCode: room.roomCode,
      name: 'Host',
      token: room.hostToken,
    });
    // The game goes on while the receiver is failing.
    expect(await host.emit('room:chat', { text: 'not blocked' })).toMatchObject({ ok: true });
    await waitUntil(
      () => receiver.events('room.ready', room.roomCode).length === 3,
      10_000,
      'three attempts',
    );
    const attempts = receiver.events('room.ready', room.roomCode);
    expect(new Set(attempts.map((a) => a.event.id)).size).toBe(1);
    const metrics = await server.api('/metrics');
    expect(metrics.body).toMatch(
      /gamebuddies_webhooks_total\{outcome="delivered",type="room.ready"[^}]*\} [1-9]/,
    );
    host.close();
  });

  it('rejects a tampered or stale signature', () => {
    const body = JSON.stringify({ id: 'x' });
    const now = Math.floor(Date.now() / 1000);
    const good = receiver.deliveries[0]!;
    expect(verifyWebhook(SECRET, body, String(good.headers['x-gamebuddies-signature']))).toBe(false);
    expect(
      verifyWebhook(
        'other-secret-0123456789',
        JSON.stringify(good.event),
        String(good.headers['x-gamebuddies-signature']),
      ),
    ).toBe(false);
    expect(verifyWebhook(SECRET, body, `t=${now - 3600},v1=00`)).toBe(false);
  });
});
