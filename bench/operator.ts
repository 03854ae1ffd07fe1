/**
 * Time-to-Ready of GameRooms created at a steady rate against the test control plane.
 *
 *   npm run bench:operator -- [--rate 20] [--seconds 15] [--servers 10] [--capacity 100] [--strategy least-loaded]
 *
 * Starts the control plane (kube-apiserver + etcd from Go modules, the fake Agones allocator), a
 * redis-server and the operator process; creates Ready GameServers; then creates GameRooms at
 * `--rate` per second and watches each until its status is Ready.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { startControlPlane } from '../test/cluster/controlPlane.js';
import { applyCrds } from '../test/cluster/crds.js';
import { createGameServer } from '../test/cluster/agones.js';
import { OperatorProcess } from '../test/helpers/operatorProcess.js';
import { RedisServer } from '../test/helpers/redisServer.js';
import { ms, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '15' },
    servers: { type: 'string', default: '10' },
    capacity: { type: 'string', default: '100' },
    strategy: { type: 'string', default: 'least-loaded' },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const total = Math.round(rate * seconds);

const plane = await startControlPlane({ log: (line) => console.log(`[cluster] ${line}`) });
const redis = await RedisServer.start();
const kc = plane.adminConfig();
const namespace = `bench-${randomBytes(3).toString('hex')}`;
let operator: OperatorProcess | undefined;
try {
  await applyCrds(
    plane.binaries.kubectl,
    plane.kubeconfigPath,
    fileURLToPath(new URL('../crds/gamerooms.gamebuddies.io.yaml', import.meta.url)),
  );
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  for (let i = 0; i < Number(args.servers); i++) {
    await createGameServer(kc, namespace, `gs-${i}`, {
      labels: { 'gamebuddies.io/game-type': 'rps' },
      roomsCapacity: Number(args.capacity),
    });
  }
  operator = await OperatorProcess.start({
    KUBECONFIG: plane.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    REDIS_URL: redis.url,
    ALLOCATION_STRATEGY: args.strategy,
    REFRESH_SECONDS: '60',
  });

  const created = new Map<string, number>();
  const readyAfter = new Map<string, number>();
  const watch = await new Watch(kc).watch(
    `/apis/gamebuddies.io/v1alpha1/namespaces/${namespace}/gamerooms`,
    {},
    (_phase, obj: { metadata: { name: string }; status?: { phase?: string } }) => {
      const name = obj.metadata.name;
      if (obj.status?.phase === 'Ready' && created.has(name) && !readyAfter.has(name)) {
        readyAfter.set(name, performance.now() - created.get(name)!);
      }
    },
    () => undefined,
  );
  const custom = kc.makeApiClient(CustomObjectsApi);
  console.log(`creating ${total} GameRooms at ${rate}/s on ${args.servers} GameServers (${args.strategy})`);
  const started = performance.now();
  const creations: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const name = `room-${i}`;
    created.set(name, performance.now());
    creations.push(
      custom.createNamespacedCustomObject({
        group: 'gamebuddies.io',
        version: 'v1alpha1',
        namespace,
        plural: 'gamerooms',
        body: {
          apiVersion: 'gamebuddies.io/v1alpha1',
          kind: 'GameRoom',
          metadata: { name },
          spec: { gameType: 'rps' },
        },
      }),
    );
    if (i % rate === 0) process.stdout.write(`\r  created ${i}, ready ${readyAfter.size}   `);
  }
  await Promise.all(creations);
  const deadline = performance.now() + 60_000;
  while (readyAfter.size < total && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const elapsed = (performance.now() - started) / 1000;
  watch.abort();
  const s = summarize([...readyAfter.values()]);
  console.log(`\r  ${readyAfter.size} of ${total} Ready                 `);
  console.log(`time to Ready: p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`);
  console.log(`throughput: ${(readyAfter.size / elapsed).toFixed(1)} rooms/s (offered ${rate}/s)`);
} finally {
  await operator?.stop();
  await redis.stop();
  await plane.stop();
}
