import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { GR, LABEL, installGameRoomCrd } from './crds.js';
import { createFleet, gameServersIn, listGameServers } from './agones.js';
import { LiveGameServers } from './agones/liveGameServers.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// The spread strategy, on outcomes distinct from pack's (operator.test.ts: 4 rooms on two servers
// of 3 slots pack as 3 + 1; spread gives 2 + 2).

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);

let redis: RedisServer;
let operator: OperatorProcess | undefined;
let live: LiveGameServers | undefined;

beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
});
afterEach(async () => {
  await operator?.stop();
  operator = undefined;
  await live?.stop();
  live = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

describe('placement strategies', () => {
  it('spread puts each new room on an idle server first, then on the emptiest', async () => {
    const namespace = `pl-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const prefix = `pl${randomBytes(3).toString('hex')}:`;
    live = await LiveGameServers.start(cluster, namespace, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    await createFleet(admin, namespace, 'rps', { replicas: 2, roomsCapacity: 3, labels: { [LABEL]: 'rps' } });
    await gameServersIn(admin, namespace, 'Ready', 2, 90_000);
    operator = await OperatorProcess.start({
      KUBECONFIG: cluster.kubeconfigPath,
      POD_NAMESPACE: namespace,
      WATCH_NAMESPACE: namespace,
      POD_NAME: 'operator-0',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      API_KEYS: 'test-key-0123456789abcdef',
      ALLOCATION_STRATEGY: 'spread',
    });
    const counts = async () =>
      (await listGameServers(admin, namespace)).map((gs) => (gs.status?.lists?.rooms?.values ?? []).length);
    for (let i = 0; i < 4; i++) {
      await custom.createNamespacedCustomObject({
        ...GR,
        namespace,
        body: {
          apiVersion: 'gamebuddies.io/v1alpha1',
          kind: 'GameRoom',
          metadata: { name: `r${i}` },
          spec: { gameType: 'rps' },
        },
      });
      await waitUntil(
        async () =>
          ((await custom.getNamespacedCustomObject({ ...GR, namespace, name: `r${i}` })) as any).status
            ?.phase === 'Ready',
        30_000,
        `GameRoom r${i} to be Ready`,
      );
      // The second room goes to the idle server, not beside the first.
      if (i === 1) expect((await counts()).sort()).toEqual([1, 1]);
    }
    expect(await counts()).toEqual([2, 2]);
  }, 180_000);
});
