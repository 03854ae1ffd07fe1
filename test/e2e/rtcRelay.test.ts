import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RTC_SIGNAL_MAX_BYTES } from '@gamebuddies/protocol';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep } from '../helpers/wait.js';

// The WebRTC signal relay over real sockets: a signal reaches exactly the one player it is for.

const players: TestPlayer[] = [];
afterEach(() => {
  for (const p of players.splice(0)) p.close();
});

async function roomOf(server: TestServer, gameType: string, names: string[]) {
  const room = await server.createRoom({ gameType });
  const seated: TestPlayer[] = [];
  for (const [i, name] of names.entries()) {
    const player = await TestPlayer.join(
      server.url,
      { roomCode: room.roomCode, name, ...(i === 0 ? { token: room.hostToken } : {}) },
      { gameType },
    );
    players.push(player);
    seated.push(player);
  }
  return seated;
}

const signalsOf = (player: TestPlayer) => player.received.filter((e) => e.event === 'rtc:signal');

describe('rtc:signal relay', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ACTION_RATE_PER_SEC: '1000', ACTION_BURST: '1000' });
  });
  afterAll(() => server.stop());

  it('delivers a signal to its one receiver in the room, with the sender named by the server', async () => {
    const [master, ann, bob] = await roomOf(server, 'ddf', ['Master', 'Ann', 'Bob']);
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\n' };
    const received = bob!.next('rtc:signal');
    const ack = await ann!.emit('rtc:signal', { to: bob!.id, data: offer });
    expect(ack).toEqual({ ok: true, version: bob!.latest!.version });
    expect(await received).toEqual({ from: ann!.id, data: offer });

    // Candidates back the other way, then to the game master: nobody else hears any of it.
    await bob!.emit('rtc:signal', { to: ann!.id, data: { candidates: [{ candidate: 'c1' }] } });
    await ann!.emit('rtc:signal', { to: master!.id, data: { type: 'offer', sdp: 'x' } });
    await master!.seen('rtc:signal');
    await ann!.seen('rtc:signal');
    await sleep(50);
    expect(signalsOf(bob!)).toHaveLength(1);
    expect(signalsOf(ann!).map((e) => e.payload.from)).toEqual([bob!.id]);
    expect(signalsOf(master!).map((e) => e.payload.from)).toEqual([ann!.id]);
  });

  it('refuses a receiver outside the room, the sender itself, and malformed or oversized data', async () => {
    const [, ann, bob] = await roomOf(server, 'ddf', ['Master', 'Ann', 'Bob']);
    const [, stranger] = await roomOf(server, 'ddf', ['Other master', 'Stranger']);
    const refusal = (code: string) => ({ ok: false, error: expect.objectContaining({ code }) });

    expect(await ann!.emit('rtc:signal', { to: stranger!.id, data: { type: 'offer' } })).toEqual(
      refusal('PLAYER_NOT_FOUND'),
    );
    expect(await ann!.emit('rtc:signal', { to: 'p_nobody', data: { type: 'offer' } })).toEqual(
      refusal('PLAYER_NOT_FOUND'),
    );
    expect(await ann!.emit('rtc:signal', { to: ann!.id, data: { type: 'offer' } })).toEqual(
      refusal('INVALID_ACTION'),
    );
    expect(await ann!.emit('rtc:signal', { to: bob!.id, data: 'offer' })).toEqual(refusal('BAD_REQUEST'));
    expect(await ann!.emit('rtc:signal', { to: bob!.id })).toEqual(refusal('BAD_REQUEST'));
    const huge = { sdp: 'a'.repeat(RTC_SIGNAL_MAX_BYTES) };
    expect(await ann!.emit('rtc:signal', { to: bob!.id, data: huge })).toEqual(refusal('BAD_REQUEST'));
    await sleep(50);
    expect(signalsOf(stranger!)).toEqual([]);
    expect(signalsOf(bob!)).toEqual([]);
    expect(ann!.socket.connected).toBe(true);
  });

  it('is off for games that do not opt in', async () => {
    const [host, bob] = await roomOf(server, 'rps', ['Host', 'Bob']);
    expect(await host!.emit('rtc:signal', { to: bob!.id, data: { type: 'offer' } })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'INVALID_ACTION' }),
    });
    await sleep(50);
    expect(signalsOf(bob!)).toEqual([]);
  });
});

describe('rtc:signal rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ACTION_RATE_PER_SEC: '1', ACTION_BURST: '3' });
  });
  afterAll(() => server.stop());

  it("spends the socket's action budget, like any other action", async () => {
    const [, ann, bob] = await roomOf(server, 'ddf', ['Master', 'Ann', 'Bob']);
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await ann!.emit('rtc:signal', { to: bob!.id, data: { n: i } }));
    expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    await sleep(50);
    expect(signalsOf(bob!).map((e) => e.payload.data.n)).toEqual([0, 1, 2]);
  });
});
