import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { gameRoomName } from '@gamebuddies/operator';
import { newRoomCode } from '@gamebuddies/rooms';
import { testCluster } from './cluster.js';
import { GR, installGameRoomCrd } from './crds.js';
import { ApiProxy } from './apiProxy.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { freePort } from '../helpers/ports.js';
import { RunningProcess } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redisServer.js';
import { TEST_TOKEN_ENCRYPTION_KEY } from '../helpers/testKeys.js';
import { waitUntil } from '../helpers/wait.js';

const cluster = testCluster();
const admin: KubeConfig = cluster.admin();
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);
const KEY = 'test-key-0123456789abcdef';

let redis: RedisServer;
const prefix = `is${randomBytes(3).toString('hex')}:`;

beforeAll(async () => {
  await installGameRoomCrd(cluster);
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

describe('informers against an API server that refuses the first lists', () => {
  it('the operator is not ready until its caches are listed, and then knows the rooms that exist', async () => {
    const namespace = `is-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const env = {
      POD_NAMESPACE: namespace,
      WATCH_NAMESPACE: namespace,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      API_KEYS: KEY,
    };
    // A room that exists before the replica under test starts (its store record made by a first
    // operator), named as the Rooms API names its GameRooms.
    const code = newRoomCode();
    const name = gameRoomName(code);
    const first = await OperatorProcess.start({
      ...env,
      KUBECONFIG: cluster.kubeconfigPath,
      POD_NAME: 'first',
    });
    await custom.createNamespacedCustomObject({
      ...GR,
      namespace,
      body: {
        apiVersion: 'gamebuddies.io/v1alpha1',
        kind: 'GameRoom',
        metadata: { name },
        spec: { gameType: 'rps', roomCode: code },
      },
    });
    await waitUntil(
      async () =>
        ((await custom.getNamespacedCustomObject({ ...GR, namespace, name })) as any).status?.roomCode ===
        code,
      15_000,
      'the room in the store',
    );
    await first.stop();

    const proxy = await ApiProxy.start(admin);
    let refused = 0;
    proxy.refuse = (r) => {
      const list = r.method === 'GET' && /\/gamerooms(\?|$)/.test(r.path) && !r.path.includes('watch=');
      return list && ++refused <= 3;
    };
    const [port, probePort] = [await freePort(), await freePort()];
    const proc = RunningProcess.node(['operator/dist/main.js'], {
      ...env,
      KUBECONFIG: proxy.kubeconfig(mkdtempSync(join(tmpdir(), 'informer-sync-')), 'proxy'),
      POD_NAME: 'second',
      HOST: '127.0.0.1',
      PORT: String(port),
      PROBE_PORT: String(probePort),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      LEADER_ELECTION: 'false',
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_ENCRYPTION_KEY,
    });
    try {
      let notReady = 0;
      await waitUntil(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`operator exited:\n${proc.output}`);
          const answer = await fetch(`http://127.0.0.1:${probePort}/readyz`).catch(() => null);
          if (!answer?.ok) notReady++; // no answer yet, or 503
          return answer?.ok;
        },
        30_000,
        'the operator to be ready',
      );
      // Ready means the cache is warm: the room that exists is found at once, not 404.
      const lookup = await fetch(`http://127.0.0.1:${port}/v1/rooms/${code}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(lookup.status).toBe(200);
      expect(await lookup.json()).toMatchObject({ roomCode: code, gameType: 'rps' });
      expect(refused).toBeGreaterThan(3); // three refused, then the list that succeeded
      expect(notReady).toBeGreaterThan(0);
    } finally {
      proc.kill('SIGKILL');
      await proc.exited;
      await proxy.close();
    }
  }, 60_000);
});
