import { expect } from '@jest/globals';
import type { ServerProcess } from './serverProcess.js';
import type { TestPlayer } from './players.js';
import { waitUntil } from './wait.js';

type Join = (
  server: ServerProcess,
  auth: { roomCode: string; name?: string; token?: string },
) => Promise<TestPlayer>;

/**
 * Two servers sharing one store, whatever the store (one Redis, a cluster): a player keeps chatting
 * while the first server is killed with -9. Every acknowledged message survives, the players come
 * back through the second server as themselves, and the round timer armed on the first fires there.
 */
export async function killedServerKeepsAcknowledgedActions(s1: ServerProcess, s2: ServerProcess, join: Join) {
  const room = await s1.createRoom({ gameType: 'rps', settings: { rounds: 1, roundSeconds: 5 } });
  const host = await join(s1, { roomCode: room.roomCode, name: 'Host', token: room.hostToken });
  const bob = await join(s1, { roomCode: room.roomCode, name: 'Bob' });
  const cat = await join(s2, { roomCode: room.roomCode, name: 'Cat' });
  await host.emit('game:action', { type: 'start' });
  const chosen = await host.emit('game:action', { type: 'choose', choice: 'rock' });
  expect(chosen.ok).toBe(true);

  // Bob keeps chatting while s1 dies; every message acknowledged must survive.
  const acked: string[] = [];
  let sending = true;
  const chatter = (async () => {
    for (let i = 0; sending && i < 500; i++) {
      const ack = await bob.emit('room:chat', { text: `msg ${i}` }, 2000).catch(() => null);
      if (ack?.ok) acked.push(`msg ${i}`);
      if (!ack) break;
    }
  })();
  await waitUntil(() => acked.length >= 5);
  await s1.crash();
  sending = false;
  await chatter;

  // The players of s1 come back through s2 with their session tokens.
  const hostAgain = await join(s2, { roomCode: room.roomCode, token: host.sessionToken });
  const bobAgain = await join(s2, { roomCode: room.roomCode, token: bob.sessionToken });
  expect(hostAgain.joined).toMatchObject({ playerId: host.id, role: 'host' });
  expect(bobAgain.joined).toMatchObject({ playerId: bob.id, role: 'player' });
  const snapshot = bobAgain.latest!;
  expect(snapshot.version).toBeGreaterThanOrEqual((chosen as { version: number }).version + acked.length);
  const texts = snapshot.chat.map((m) => m.text);
  for (const text of acked) expect(texts).toContain(text);
  expect((hostAgain.latest!.game as any).myChoice).toBe('rock');

  // The round timer armed on s1 fires on s2 once its lease has expired.
  // Due 5 s after the start, once s2 holds the lease; a busy machine may add seconds.
  const revealed = await cat.seen('room:state', (s) => (s.game as any).stage === 'reveal', 15_000);
  expect((revealed.game as any).lastRound.choices[host.id]).toBe('rock');
  // The room moved: its address is now s2's.
  await waitUntil(
    async () => (await s2.api(`/v1/rooms/${room.roomCode}`)).body.url === s2.url,
    5000,
    'room moved to s2',
  );
}
