import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { GR, LABEL, installGameRoomCrd } from './crds.js';
import { createFleet, gameServersIn, listGameServers } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { ApiProxy } from './apiProxy.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { sleep, waitUntil } from '../helpers/wait.js';

// Operator leadership under faults: a frozen leader (SIGSTOP) and a leader whose API connection
// hangs. Each replica reaches the API server through its own loopback proxy, which records what it
// asks for: that is how "no two operators write at once" is checked.

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);
// The OperatorProcess defaults: lease 3 s, renew deadline 2 s, retry period 300 ms.
const LEASE_MS = 3000;
const RETRY_MS = 300;

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), 'leader-faults-'));
const prefix = `lf${randomBytes(3).toString('hex')}:`;
const running: Array<{ operator?: OperatorProcess; proxy: ApiProxy }> = [];
const lives: LiveGameServers[] = [];

beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const { operator, proxy } of running.splice(0)) {
    operator?.proc.kill('SIGCONT');
    await operator?.crash();
    await proxy.close();
  }
  await Promise.all(lives.splice(0).map((l) => l.stop()));
});
afterAll(async () => {
  await redis?.stop();
});

interface Replica {
  operator: OperatorProcess;
  proxy: ApiProxy;
}

async function replica(namespace: string, name: string): Promise<Replica> {
  const proxy = await ApiProxy.start(admin);
  const entry: { operator?: OperatorProcess; proxy: ApiProxy } = { proxy };
  running.push(entry);
  entry.operator = await OperatorProcess.start({
    KUBECONFIG: proxy.kubeconfig(dir, `${namespace}-${name}`),
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    POD_NAME: name,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    API_KEYS: 'test-key-0123456789abcdef',
  });
  return { operator: entry.operator, proxy };
}

async function twoReplicas() {
  const namespace = `lf-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Two live GameServers of a Fleet on real Agones (its allocator answers both replicas).
  lives.push(
    await LiveGameServers.start(cluster, namespace, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    }),
  );
  await createFleet(admin, namespace, 'rps', { replicas: 2, roomsCapacity: 20, labels: { [LABEL]: 'rps' } });
  await gameServersIn(admin, namespace, 'Ready', 2, 90_000);
  const [a, b] = [await replica(namespace, 'op-a'), await replica(namespace, 'op-b')];
  await waitUntil(
    async () => (await a.operator.isLeader()) !== (await b.operator.isLeader()),
    15_000,
    'one leader',
  );
  const [leader, standby] = (await a.operator.isLeader()) ? [a, b] : [b, a];
  return { namespace, leader, standby };
}

async function createRooms(namespace: string, names: string[]) {
  await Promise.all(
    names.map((name) =>
      custom.createNamespacedCustomObject({
        ...GR,
        namespace,
        body: {
          apiVersion: 'gamebuddies.io/v1alpha1',
          kind: 'GameRoom',
          metadata: { name },
          spec: { gameType: 'rps' },
        },
      }),
    ),
  );
}

async function allReady(namespace: string, names: string[], timeoutMs = 30_000) {
  return waitUntil(
    async () => {
      const rooms = await Promise.all(
        names.map((name) => custom.getNamespacedCustomObject({ ...GR, namespace, name }) as Promise<any>),
      );
      return rooms.every((r) => r.status?.phase === 'Ready') ? rooms : null;
    },
    timeoutMs,
    `GameRooms ${names.join(', ')} to be Ready`,
  );
}

/** Every room code on exactly one GameServer, once, and the one its GameRoom names. */
async function expectAllocatedOnce(namespace: string, rooms: any[]) {
  const where = new Map<string, string[]>();
  for (const gs of await listGameServers(admin, namespace)) {
    for (const code of gs.status?.lists?.rooms?.values ?? [])
      where.set(code, [...(where.get(code) ?? []), gs.metadata.name]);
  }
  for (const room of rooms) expect(where.get(room.spec.roomCode)).toEqual([room.status.gameServer.name]);
  expect([...where.values()].every((servers) => servers.length === 1)).toBe(true);
}

/** The old leader's last write came before the new leader's first write (never both at once). */
function expectNoOverlap(old: ApiProxy, next: ApiProxy, since: number) {
  const firstNew = Math.min(
    ...next
      .writes()
      .filter((w) => w.at > since)
      .map((w) => w.at),
  );
  expect(Number.isFinite(firstNew)).toBe(true);
  const lateOld = old.writes().filter((w) => w.at >= firstNew);
  expect(lateOld).toEqual([]);
}

describe('operator leadership under faults', () => {
  it('a frozen leader (SIGSTOP) is replaced in time and writes nothing after it resumes', async () => {
    const { namespace, leader, standby } = await twoReplicas();
    await createRooms(namespace, ['r1', 'r2']);
    await allReady(namespace, ['r1', 'r2']);

    // Freeze it with work in flight: rooms it has just been told about.
    await createRooms(namespace, ['r3', 'r4', 'r5', 'r6']);
    await sleep(30);
    leader.operator.proc.kill('SIGSTOP');
    const frozenAt = performance.now();
    await waitUntil(() => standby.operator.isLeader(), 15_000, 'the standby to lead');
    const tookOverMs = performance.now() - frozenAt;
    // The standby waits a whole lease from the last renewal it saw (at most one retry period old).
    expect(tookOverMs).toBeLessThan(LEASE_MS + RETRY_MS + 1000);
    await createRooms(namespace, ['r7', 'r8']);
    const rooms = await allReady(namespace, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);

    leader.operator.proc.kill('SIGCONT');
    await sleep(3000); // its timers, answers and queued reconciles all run now
    expect(await leader.operator.isLeader()).toBe(false);
    expect(await standby.operator.isLeader()).toBe(true);
    expectNoOverlap(leader.proxy, standby.proxy, frozenAt);
    await expectAllocatedOnce(namespace, rooms);
  }, 180_000);

  it('a leader whose API connection hangs stops leading before the standby starts', async () => {
    const { namespace, leader, standby } = await twoReplicas();
    await createRooms(namespace, ['h1']);
    await allReady(namespace, ['h1']);

    leader.proxy.hang();
    const hungAt = performance.now();
    let both = 0;
    let stoppedAt: number | undefined;
    let startedAt: number | undefined;
    await waitUntil(
      async () => {
        const [old, next] = [await leader.operator.isLeader(), await standby.operator.isLeader()];
        const t = performance.now();
        if (old && next) both++;
        if (!old) stoppedAt ??= t;
        if (next) startedAt ??= t;
        return next;
      },
      15_000,
      'the standby to lead',
    );
    expect(both).toBe(0);
    expect(stoppedAt!).toBeLessThan(startedAt!);
    expect(startedAt! - hungAt).toBeLessThan(LEASE_MS + RETRY_MS + 1000);
    await createRooms(namespace, ['h2', 'h3']);
    const rooms = await allReady(namespace, ['h1', 'h2', 'h3']);
    expectNoOverlap(leader.proxy, standby.proxy, hungAt);

    leader.proxy.resume(); // it comes back: the new leader keeps the lease
    await sleep(2000);
    expect(await leader.operator.isLeader()).toBe(false);
    expect(await standby.operator.isLeader()).toBe(true);
    expectNoOverlap(leader.proxy, standby.proxy, hungAt);
    await expectAllocatedOnce(namespace, rooms);
  }, 180_000);
});
