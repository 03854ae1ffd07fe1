import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisCluster } from '../helpers/redisCluster.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { sleep, waitUntil } from '../helpers/wait.js';

// A Redis Cluster changing under a live game: the slot holding a room moves to another master
// mid-game (MIGRATING/IMPORTING, MIGRATE, SETSLOT: the clients meet ASK, then MOVED), and the master
// holding a room is killed with -9 so its replica takes over. Players keep playing; every chat
// message a player was told is saved ({ ok: true }) is looked for in the room afterwards.
//
// Before the kill the replica is frozen for 1.5 s (SIGSTOP): the master goes on acknowledging
// writes the replica has not applied. With REDIS_ACK_REPLICAS=1 each write is confirmed by WAIT on
// the room's master (on the connection that wrote it) before it is acknowledged; what could not be
// confirmed is answered UNAVAILABLE, and no acknowledged action may be lost. Without it the count
// lost is printed, not asserted: on loopback the frozen replica still finds most of what the master
// sent in its socket buffer when it wakes, so the gap is small and varies (0 to a few per run).

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await RedisCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

interface Game {
  server: ServerProcess;
  prefix: string;
  code: string;
  players: TestPlayer[];
  acknowledged: string[];
  unconfirmed: () => number;
  okSince: (mark: number) => number;
  stop: () => Promise<void>;
}

/** A room with two players chatting without pause, each message sent after the previous ack. */
async function liveGame(name: string, env: Record<string, string> = {}): Promise<Game> {
  const prefix = `${name}:`;
  const server = await ServerProcess.start(name, {
    REDIS_CLUSTER_NODES: cluster.seeds,
    REDIS_KEY_PREFIX: prefix,
    ACTION_RATE_PER_SEC: '1000',
    ACTION_BURST: '1000',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const room = await server.createRoom({ gameType: 'rps', hostName: 'Host' });
  const players = [
    await TestPlayer.join(server.url, { roomCode: room.roomCode, token: room.hostToken }),
    await TestPlayer.join(server.url, { roomCode: room.roomCode, name: 'Ann' }),
  ];
  const acknowledged: string[] = [];
  const okAt: number[] = [];
  let unconfirmed = 0;
  let sending = true;
  const senders = players.map(async (player, p) => {
    for (let i = 0; sending; i++) {
      const text = `p${p}-m${i}`;
      const ack = await player.emit('room:chat', { text }, 5000).catch(() => null);
      if (ack?.ok) {
        acknowledged.push(text);
        okAt.push(Date.now());
      } else if (ack && !ack.ok && ack.error.code === 'UNAVAILABLE') unconfirmed++;
      // Paced so a whole run stays within the 100 chat messages a room keeps.
      await sleep(ack?.ok ? 60 : 100);
    }
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      sending = false;
      await Promise.all(senders);
      for (const player of players) player.close();
      await server.stop();
    })());
  await waitUntil(() => acknowledged.length >= 6, 10_000, 'the first saved messages');
  return {
    server,
    prefix,
    code: room.roomCode,
    players,
    acknowledged,
    unconfirmed: () => unconfirmed,
    okSince: (mark) => okAt.filter((t) => t >= mark).length,
    stop,
  };
}

async function slotOf(key: string): Promise<number> {
  const masters = await cluster.masters();
  return Number(await cluster.on(masters[0]!.port, 'CLUSTER', 'KEYSLOT', key));
}

/** Acknowledged messages missing from the room as the cluster holds it now. */
async function lostMessages(game: Game): Promise<string[]> {
  const raw = cluster.client();
  try {
    // The room's chat list, beside its hash in the same slot (docs/state.md).
    const lines = await raw.lrange(`${game.prefix}room:{${game.code}}:chat`, 0, -1);
    const chat = new Set(lines.map((line) => (JSON.parse(line) as { text: string }).text));
    return game.acknowledged.filter((text) => !chat.has(text));
  } finally {
    raw.disconnect();
  }
}

async function failoverMidGame(ackReplicas: number) {
  const game = await liveGame(`failover${ackReplicas}`, {
    REDIS_ACK_REPLICAS: String(ackReplicas),
    REDIS_ACK_TIMEOUT_MS: '250',
  });
  try {
    const slot = await slotOf(`${game.prefix}room:{${game.code}}`);
    const master = await cluster.masterOf(slot);
    const replica = await cluster.replicaOf(master.port);
    // The replica stalls; the game goes on for a moment; the master dies; the replica wakes up
    // and is promoted by the other masters' votes.
    cluster.pause(replica.port);
    const frozenAt = Date.now();
    await sleep(1500);
    // Acknowledged while the replica could not have confirmed anything (a WAIT already under way
    // at the freeze is given 100 ms to come back).
    const okWhileFrozen = game.okSince(frozenAt + 100);
    await cluster.kill(master.port);
    cluster.resume(replica.port);
    await waitUntil(
      async () => (await cluster.masterOf(slot).catch(() => null))?.port === replica.port,
      30_000,
      'the replica to take over the slot',
    );
    // The old master comes back, as a replica of the new one (as Kubernetes restarts a pod).
    await cluster.restart(master.port);
    const mark = Date.now();
    await waitUntil(() => game.okSince(mark) >= 6, 30_000, 'actions saved on the new master');
    await game.stop();
    expect(game.acknowledged.length).toBeLessThan(100); // chat keeps the last 100
    const lost = await lostMessages(game);
    return { acknowledged: game.acknowledged.length, lost, unconfirmed: game.unconfirmed(), okWhileFrozen };
  } finally {
    await game.stop();
    await cluster.waitUntilHealthy();
  }
}

describe('a Redis Cluster changing under live games', () => {
  it('moves the slot of a live room to another master mid-game: play goes on through ASK and MOVED, nothing acknowledged lost', async () => {
    const game = await liveGame('reshard');
    try {
      const slot = await slotOf(`${game.prefix}room:{${game.code}}`);
      const from = await cluster.masterOf(slot);
      const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
      let duringMove = 0;
      await cluster.moveSlot(slot, to.port, async () => {
        // Keys moved, slot not yet handed over: commands for the room are answered ASK.
        const mark = Date.now();
        await waitUntil(() => game.okSince(mark) >= 4, 10_000, 'actions saved while the slot is half moved');
        duringMove = game.okSince(mark);
      });
      expect((await cluster.masterOf(slot)).port).toBe(to.port);
      const mark = Date.now();
      await waitUntil(() => game.okSince(mark) >= 6, 10_000, 'actions saved after the move');
      await game.stop();
      expect(duringMove).toBeGreaterThanOrEqual(4);
      expect(await lostMessages(game)).toEqual([]);
      // The room is whole on its new master.
      expect(Number(await cluster.on(to.port, 'EXISTS', `${game.prefix}room:{${game.code}}`))).toBe(1);
    } finally {
      await game.stop();
    }
  }, 60_000);

  it('with REDIS_ACK_REPLICAS=1, a master killed with -9 loses no acknowledged action', async () => {
    const outcome = await failoverMidGame(1);
    process.stdout.write(
      `[cluster failover] REDIS_ACK_REPLICAS=1: ${outcome.lost.length} of ${outcome.acknowledged} acknowledged actions lost (${outcome.unconfirmed} answered UNAVAILABLE, ${outcome.okWhileFrozen} acknowledged while the replica was frozen)\n`,
    );
    expect(outcome.lost).toEqual([]);
    // WAIT ran on the connection that wrote, to the room's master: nothing was confirmed while
    // that master's replica was frozen.
    expect(outcome.okWhileFrozen).toBe(0);
    expect(outcome.unconfirmed).toBeGreaterThan(0);
  }, 90_000);

  it('without REDIS_ACK_REPLICAS, the same failover: play resumes, acknowledged actions lost are counted', async () => {
    const outcome = await failoverMidGame(0);
    process.stdout.write(
      `[cluster failover] REDIS_ACK_REPLICAS=0: ${outcome.lost.length} of ${outcome.acknowledged} acknowledged actions lost (${outcome.okWhileFrozen} acknowledged while the replica was frozen)\n`,
    );
    expect(outcome.acknowledged).toBeGreaterThan(6);
  }, 90_000);
});
