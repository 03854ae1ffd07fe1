/**
 * Time-to-Ready of GameRooms created at a steady rate, against real Agones v1.60.0 on the test
 * control plane.
 *
 *   npm run bench:operator -- [--rooms 200] [--rate 20] [--servers 4] [--capacity 100] [--batch-wait 500ms] [--workers 4] [--strategy spread|pack]
 *
 * Starts the control plane (kube-apiserver + etcd, kwok nodes and kube-scheduler, Agones' controller
 * and extensions with ALLOCATION_BATCH_WAIT_TIME = --batch-wait), a redis-server, a Fleet of
 * `--servers` live game servers (game-server process + Agones' sdk-server each) and the operator;
 * then creates `--rooms` GameRooms at `--rate` per second and watches each until its status is Ready.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { startControlPlane, stateFor } from '../test/cluster/controlPlane.js';
import { applyCrds } from '../test/cluster/crds.js';
import { createFleet, gameServersIn } from '../test/cluster/agones.js';
import { LiveGameServers } from '../test/cluster/agones/liveGameServers.js';
import { serviceAccountKubeconfig } from '../test/cluster/controlPlane.js';
import { OperatorProcess } from '../test/helpers/operatorProcess.js';
import { RedisServer } from '../test/helpers/redisServer.js';
import { ms, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    servers: { type: 'string', default: '4' },
    capacity: { type: 'string', default: '100' },
    'batch-wait': { type: 'string', default: '500ms' },
    strategy: { type: 'string', default: 'spread' },
    workers: { type: 'string', default: '4' },
  },
});
const rate = Number(args.rate);
const total = Number(args.rooms);

const plane = await startControlPlane({
  log: (line) => console.log(`[cluster] ${line}`),
  allocationBatchWait: args['batch-wait'],
});
const redis = await RedisServer.start();
const kc = plane.adminConfig();
const namespace = `bench-${randomBytes(3).toString('hex')}`;
let operator: OperatorProcess | undefined;
let live: LiveGameServers | undefined;
try {
  await applyCrds(
    plane.binaries.kubectl,
    plane.kubeconfigPath,
    fileURLToPath(new URL('../crds/gamerooms.gamebuddies.io.yaml', import.meta.url)),
  );
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const state = stateFor(plane);
  live = await LiveGameServers.start(
    {
      ...state,
      admin: () => kc,
      serviceAccountKubeconfig: (ns, name) => serviceAccountKubeconfig(state, ns, name),
    },
    namespace,
    { REDIS_URL: redis.url, LOG_LEVEL: 'warn' },
  );
  await createFleet(kc, namespace, 'rps', {
    replicas: Number(args.servers),
    roomsCapacity: Number(args.capacity),
    labels: { 'gamebuddies.io/game-type': 'rps' },
  });
  await gameServersIn(kc, namespace, 'Ready', Number(args.servers), 120_000);
  operator = await OperatorProcess.start({
    KUBECONFIG: plane.kubeconfigPath,
    POD_NAMESPACE: namespace,
    WATCH_NAMESPACE: namespace,
    REDIS_URL: redis.url,
    ALLOCATION_STRATEGY: args.strategy,
    REFRESH_SECONDS: '60',
    WORKERS: args.workers,
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
  console.log(
    `creating ${total} GameRooms at ${rate}/s on ${args.servers} GameServers (${args.strategy}, ${args.workers} operator workers, Agones batch wait ${args['batch-wait']})`,
  );
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
  await live?.stop();
  await redis.stop();
  await plane.stop();
}
