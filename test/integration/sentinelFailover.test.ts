import { describe, expect, it } from '@jest/globals';
import { SentinelGroup } from '../helpers/sentinelGroup.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep, waitUntil } from '../helpers/wait.js';

// Acknowledged actions through a Sentinel failover. A real group on loopback (one master, one
// replica, three Sentinels); the replica's link to the master is slow for a moment (the
// ReplicationLink holds back what the master sends), the master is killed with -9 mid-game, the
// Sentinels promote the replica, the old master comes back as a replica (as Kubernetes restarts a
// pod). Every chat message a player was told is saved ({ ok: true }) must be in the room afterwards.
//
// Replication is asynchronous: without REDIS_ACK_REPLICAS the master acknowledges what the replica
// has not received yet, and the failover loses it. With REDIS_ACK_REPLICAS=1 an action is
// acknowledged only after WAIT saw it on the replica; what it could not confirm in time is answered
// UNAVAILABLE (not saved as far as the player knows) and nothing acknowledged is lost.

interface Outcome {
  acknowledged: number;
  lost: string[];
  unconfirmed: number;
  resumedOn: number;
}

async function failoverMidGame(ackReplicas: number): Promise<Outcome> {
  const group = await SentinelGroup.start();
  const prefix = `failover${ackReplicas}:`;
  const server = await ServerProcess.start(`failover-${ackReplicas}`, {
    REDIS_SENTINELS: group.sentinels,
    REDIS_SENTINEL_MASTER: SentinelGroup.MASTER_NAME,
    REDIS_KEY_PREFIX: prefix,
    REDIS_ACK_REPLICAS: String(ackReplicas),
    REDIS_ACK_TIMEOUT_MS: '250',
    ACTION_RATE_PER_SEC: '1000',
    ACTION_BURST: '1000',
    LOG_LEVEL: 'warn',
  });
  const players: TestPlayer[] = [];
  try {
    const room = await server.createRoom({ gameType: 'rps', hostName: 'Host' });
    players.push(await TestPlayer.join(server.url, { roomCode: room.roomCode, token: room.hostToken }));
    players.push(await TestPlayer.join(server.url, { roomCode: room.roomCode, name: 'Ann' }));

    // Each player chats without pause, one message after the other's ack, and keeps a list of
    // what it was told is saved.
    const acknowledged: string[] = [];
    let unconfirmed = 0;
    let okAfterFailover = 0;
    let failedOver = false;
    let sending = true;
    const senders = players.map(async (player, p) => {
      for (let i = 0; sending; i++) {
        const text = `p${p}-m${i}`;
        const ack = await player.emit('room:chat', { text }, 5000).catch(() => null);
        if (ack?.ok) {
          acknowledged.push(text);
          if (failedOver) okAfterFailover++;
        } else if (ack && !ack.ok && ack.error.code === 'UNAVAILABLE') unconfirmed++;
        await sleep(ack?.ok ? 25 : 100);
      }
    });

    await waitUntil(() => acknowledged.length >= 8, 10_000, 'the first saved messages');
    // The link to the replica slows down; the game goes on for a moment; the master dies.
    group.link.stall();
    await sleep(600);
    await group.kill(group.master);
    await waitUntil(
      async () => (await group.masterPort()) === group.replica.port,
      30_000,
      'the Sentinels to promote the replica',
    );
    await group.restart(group.master);
    failedOver = true;
    // The room resumes on the new master: players' actions are saved again.
    await waitUntil(() => okAfterFailover >= 4, 30_000, 'actions saved on the new master');
    sending = false;
    await Promise.all(senders);

    // What the new master holds (chat keeps the last 100 messages: the run stays below that).
    expect(acknowledged.length).toBeLessThan(100);
    const redis = group.client(group.replica.port);
    // The room's chat is a list beside the room's hash (docs/state.md).
    const lines = await redis.lrange(`${prefix}room:${room.roomCode}:chat`, 0, -1);
    redis.disconnect();
    const chat = new Set(lines.map((line) => (JSON.parse(line) as { text: string }).text));
    const lost = acknowledged.filter((text) => !chat.has(text));
    const resumedOn = (await server.api(`/v1/rooms/${room.roomCode}`)).status;
    return { acknowledged: acknowledged.length, lost, unconfirmed, resumedOn };
  } finally {
    for (const player of players) player.close();
    await server.stop();
    await group.stop();
  }
}

describe('acknowledged actions through a Sentinel failover', () => {
  it('without REDIS_ACK_REPLICAS, a failover loses actions the players were told were saved', async () => {
    const outcome = await failoverMidGame(0);
    process.stdout.write(
      `[sentinel failover] REDIS_ACK_REPLICAS=0: ${outcome.lost.length} of ${outcome.acknowledged} acknowledged actions lost\n`,
    );
    expect(outcome.resumedOn).toBe(200);
    expect(outcome.lost.length).toBeGreaterThan(0);
  }, 120_000);

  it('with REDIS_ACK_REPLICAS=1, none is lost: what WAIT could not confirm was answered UNAVAILABLE', async () => {
    const outcome = await failoverMidGame(1);
    process.stdout.write(
      `[sentinel failover] REDIS_ACK_REPLICAS=1: ${outcome.lost.length} of ${outcome.acknowledged} acknowledged actions lost (${outcome.unconfirmed} answered UNAVAILABLE)\n`,
    );
    expect(outcome.resumedOn).toBe(200);
    expect(outcome.unconfirmed).toBeGreaterThan(0);
    expect(outcome.lost).toEqual([]);
  }, 120_000);
});
