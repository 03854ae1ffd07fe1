import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../cluster/controlPlane.js';
import { applyCrds } from '../cluster/crds.js';
import { httpRequest, NginxProxy } from '../helpers/nginx.js';
import { OperatorProcess } from '../helpers/operatorProcess.js';
import { RedisServer } from '../helpers/redisServer.js';

// The operator's Rooms API behind nginx, as behind the chart's Ingress (TRUST_PROXY=1), against a
// real kube-apiserver (the test control plane) and Redis. Before, every client had the Ingress'
// address: one guesser locked every player out of `/r/`.

const GAMEROOM_CRD = fileURLToPath(new URL('../../crds/gamerooms.gamebuddies.io.yaml', import.meta.url));
const API_KEY = 'operator-key-0123456789';
const BUDGET = 4;

let plane: ControlPlane;
let redis: RedisServer;
let operator: OperatorProcess;
let proxy: NginxProxy;
const prefix = `op${randomBytes(3).toString('hex')}:`;

beforeAll(async () => {
  // The operator checks at start that Agones is installed: the control plane with Agones, as in the
  // cluster layer.
  plane = await startControlPlane({ log: () => undefined });
  await applyCrds(plane.binaries.kubectl, plane.kubeconfigPath, GAMEROOM_CRD);
  const namespace = 'edge';
  await plane
    .adminConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } });
  redis = await RedisServer.start();
  operator = await OperatorProcess.start({
    KUBECONFIG: plane.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    API_KEYS: API_KEY,
    TRUST_PROXY: '1',
    JOIN_FAILURES_PER_MINUTE: String(BUDGET),
  });
  proxy = await NginxProxy.start(operator.apiUrl);
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await operator?.stop();
  await redis?.stop();
  await plane?.stop();
}, 60_000);

const lookup = (code: string, from: string, spoof?: string) =>
  httpRequest(`${proxy.url}/r/${code}`, {
    from,
    headers: { accept: 'application/json', ...(spoof ? { 'x-forwarded-for': spoof } : {}) },
  });

describe('the operator behind a reverse proxy', () => {
  it('limits failed lookups per real client, whatever X-Forwarded-For it writes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 2; i++)
      statuses.push((await lookup(`YY${i}${i}YY`, '127.0.0.2', `10.5.${i}.1`)).status);
    expect(statuses).toEqual([...Array(BUDGET).fill(404), 429, 429]);
    const other = await lookup('YY99YY', '127.0.0.3');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('ROOM_NOT_FOUND');
    expect(other.headers['content-security-policy']).toContain("default-src 'self'");
    expect(other.headers['referrer-policy']).toBe('no-referrer');
  });

  it('keeps no plaintext host token in Redis for an idempotent create, and replays it', async () => {
    const create = () =>
      httpRequest(`${proxy.url}/v1/rooms?wait=0`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ gameType: 'rps' }),
      });
    const key = randomUUID();
    const first = await create();
    expect([201, 202]).toContain(first.status);
    expect(first.body.hostJoinUrl).toContain('#token=');
    const client = redis.client();
    const keys = await client.keys(`${prefix}idem:*`);
    const stored = await Promise.all(keys.map((k) => client.get(k)));
    client.disconnect();
    expect(keys.length).toBeGreaterThan(0);
    expect(stored.join('\n')).not.toContain(first.body.hostToken);
    const replay = await create();
    expect(replay.body.hostToken).toBe(first.body.hostToken);
  });
});
