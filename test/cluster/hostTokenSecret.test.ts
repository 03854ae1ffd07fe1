import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { hashToken, type RoomStore } from '@gamebuddies/rooms';
import { testCluster } from './cluster.js';
import { GR, installGameRoomCrd } from './crds.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';
import { redisRoomStore } from '../helpers/roomStores.js';
import { waitUntil } from '../helpers/wait.js';

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);

let redis: RedisServer;
let store: RoomStore;
const prefix = `ht${randomBytes(3).toString('hex')}:`;

beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
  store = await redisRoomStore(redis.url, prefix, 'test');
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

describe('host-token Secrets', () => {
  it('a Secret left with an old token (an earlier attempt) is replaced by the token that opens the room', async () => {
    const namespace = `ht-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'party-host' }, stringData: { roomCode: 'OLD', hostToken: 'stale-token' } },
    });
    const operator = await OperatorProcess.start({
      KUBECONFIG: cluster.kubeconfigPath,
      POD_NAMESPACE: namespace,
      WATCH_NAMESPACE: namespace,
      POD_NAME: 'operator-0',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      API_KEYS: 'test-key-0123456789abcdef',
    });
    try {
      await custom.createNamespacedCustomObject({
        ...GR,
        namespace,
        body: {
          apiVersion: 'gamebuddies.io/v1alpha1',
          kind: 'GameRoom',
          metadata: { name: 'party' },
          spec: { gameType: 'rps' },
        },
      });
      const code: string = await waitUntil(
        async () =>
          ((await custom.getNamespacedCustomObject({ ...GR, namespace, name: 'party' })) as any).status
            ?.roomCode,
        15_000,
        'the room code',
      );
      const record = await waitUntil(() => store.loadRoom(code), 15_000, 'the room in the store');
      const secret = await waitUntil(
        async () => {
          const s = await core.readNamespacedSecret({ namespace, name: 'party-host' });
          return s.data?.roomCode && Buffer.from(s.data.roomCode, 'base64').toString() === code ? s : null;
        },
        15_000,
        'the Secret to name the room',
      );
      const token = Buffer.from(secret.data!.hostToken!, 'base64').toString();
      expect(token).not.toBe('stale-token');
      expect(hashToken(token)).toBe(record.hostTokenHash);
    } finally {
      await operator.stop();
    }
  }, 60_000);
});
