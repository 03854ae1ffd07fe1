import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { writeFileSync } from 'node:fs';
import { kubectl } from '../kubectl.js';
import { launch, stopProcess, tail } from '../launch.js';
import { sdkAccess } from './install.js';
import { freePort } from '../../helpers/ports.js';
import { RunningProcess } from '../../helpers/processes.js';
import { TEST_SERVER_DEFAULTS } from '../../helpers/testKeys.js';
import { TEST_API_KEY } from '../../helpers/testServer.js';

/** What a test cluster offers the live game servers (see cluster.ts). */
export interface LiveCluster {
  kubectl: string;
  kubeconfigPath: string;
  stateDir: string;
  sdkServer: string;
  admin(): KubeConfig;
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
}

interface Live {
  uid: string;
  url: string;
  sidecar: ChildProcess;
  sidecarLog: string;
  /** The game-server process; absent when only the sidecar runs (see `sidecarOnly`). */
  server?: RunningProcess;
  healthTimer?: NodeJS.Timeout;
  probeTimer?: NodeJS.Timeout;
}

export interface LiveOptions {
  /**
   * Run only Agones' sidecar and call its REST API (`/ready`, `/health`) as a minimal game server
   * would: for tests of Agones itself, whose List values are not rooms a game server knows (the
   * game server removes codes it has no room for).
   */
  sidecarOnly?: boolean;
}

/** States in which a GameServer's pod runs its containers. */
const RUNNING = new Set(['Scheduled', 'RequestReady', 'Ready', 'Allocated', 'Reserved', 'Unhealthy']);

/**
 * What a kubelet would run in each GameServer pod of a namespace, here on this machine: the real
 * game-server process (`node gameserver/dist/main.js`) listening on the GameServer's node address
 * and port, and Agones' real `sdk-server` beside it with a token of the namespace's `agones-sdk`
 * ServiceAccount. Started once Agones has scheduled the GameServer; stopped when it is deleted or
 * shut down (as the pod would be).
 */
export class LiveGameServers {
  private readonly live = new Map<string, Live>();
  private readonly starting = new Set<string>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private stopped = false;
  /** Errors starting a process: a test that waits for a server sees them. */
  readonly errors: string[] = [];

  private constructor(
    private readonly cluster: LiveCluster,
    readonly namespace: string,
    private readonly env: Record<string, string>,
    private readonly sdkKubeconfig: string,
    private readonly options: LiveOptions,
  ) {}

  /** The namespace's Agones SDK access (what Agones' chart creates per game-server namespace). */
  static async start(
    cluster: LiveCluster,
    namespace: string,
    env: Record<string, string>,
    options: LiveOptions = {},
  ): Promise<LiveGameServers> {
    const file = join(cluster.stateDir, `agones-sdk-${namespace}.yaml`);
    writeFileSync(
      file,
      sdkAccess(namespace)
        .map((o) => yaml.dump(o))
        .join('---\n'),
    );
    kubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', file]);
    const sdkKubeconfig = await cluster.serviceAccountKubeconfig(namespace, 'agones-sdk');
    const servers = new LiveGameServers(cluster, namespace, env, sdkKubeconfig, options);
    servers.timer = setInterval(() => void servers.poll(), 250);
    return servers;
  }

  /** Base URL of a live GameServer's game-server process. */
  url(name: string): string | undefined {
    return this.live.get(name)?.url;
  }

  names(): string[] {
    return [...this.live.keys()];
  }

  /** The game-server process's output (for a failing test's message). */
  output(name: string): string {
    const live = this.live.get(name);
    return live ? `${live.server?.output ?? ''}\n--- sdk-server:\n${tail(live.sidecarLog, 30)}` : '';
  }

  /** kill -9 of the game-server process only: the sidecar stays, and its health checks fail. */
  async crash(name: string): Promise<void> {
    const live = this.live.get(name);
    if (!live?.server) throw new Error(`no live game server ${name}`);
    live.server.kill('SIGKILL');
    await live.server.exited;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const list = (await this.cluster.admin().makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
        group: 'agones.dev',
        version: 'v1',
        namespace: this.namespace,
        plural: 'gameservers',
      })) as { items: any[] };
      const present = new Map<string, any>(list.items.map((gs) => [gs.metadata.name, gs]));
      for (const [name, live] of this.live) {
        const gs = present.get(name);
        if (
          !gs ||
          gs.metadata.uid !== live.uid ||
          gs.metadata.deletionTimestamp ||
          gs.status?.state === 'Shutdown'
        )
          void this.remove(name);
      }
      for (const gs of list.items) {
        const name = gs.metadata.name as string;
        const port = gs.status?.ports?.[0]?.port as number | undefined;
        if (
          this.live.has(name) ||
          this.starting.has(name) ||
          gs.metadata.deletionTimestamp ||
          !RUNNING.has(gs.status?.state) ||
          !gs.status?.address ||
          !port
        )
          continue;
        this.starting.add(name);
        this.launch(gs, port)
          .catch((error: unknown) => this.errors.push(`${name}: ${(error as Error).message}`))
          .finally(() => this.starting.delete(name));
      }
    } catch {
      // the next poll tries again
    } finally {
      this.polling = false;
    }
  }

  private async launch(gs: any, port: number): Promise<void> {
    const name = gs.metadata.name as string;
    const address = gs.status.address as string;
    const [grpcPort, httpPort, healthPort] = [await freePort(), await freePort(), await freePort()];
    const sidecarLog = join(this.cluster.stateDir, `sdk-server-${this.namespace}-${name}.log`);
    const sidecar = launch(
      this.cluster.sdkServer,
      [
        `--kubeconfig=${this.sdkKubeconfig}`,
        '--address=127.0.0.1',
        `--grpc-port=${grpcPort}`,
        `--http-port=${httpPort}`,
        `--health-port=${healthPort}`,
      ],
      sidecarLog,
      { env: { GAMESERVER_NAME: name, POD_NAMESPACE: this.namespace } },
    );
    const url = `http://${address}:${port}`;
    // The kubelet's liveness probe of the sidecar: GET /gshealthz every health period. It is what
    // starts the sidecar's health checking, which marks the GameServer Unhealthy once the game
    // server's pings stop.
    const health = gs.spec?.health ?? {};
    const probeTimer = health.disabled
      ? undefined
      : setInterval(
          () => void fetch(`http://127.0.0.1:${healthPort}/gshealthz`).catch(() => undefined),
          (health.periodSeconds ?? 5) * 1000,
        );
    if (this.options.sidecarOnly) {
      const live: Live = { uid: gs.metadata.uid, url, sidecar, sidecarLog, probeTimer };
      this.live.set(name, live);
      const sdk = (path: string) =>
        fetch(`http://127.0.0.1:${httpPort}${path}`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
      for (let attempt = 0; ; attempt++) {
        const res = await sdk('/ready').catch(() => null);
        if (res?.ok) break;
        // Stopped while this sidecar was starting: stop() did not see it, so it is ended here.
        if (this.stopped) return this.remove(name);
        if (attempt > 100) throw new Error(`sdk-server of ${name} never took Ready:\n${tail(sidecarLog)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      live.healthTimer = setInterval(() => void sdk('/health').catch(() => undefined), 500);
      if (this.stopped) await this.remove(name);
      return;
    }
    const capacity = gs.status?.lists?.rooms?.capacity ?? gs.spec?.lists?.rooms?.capacity;
    const server = RunningProcess.node(['gameserver/dist/main.js'], {
      HOST: address,
      PORT: String(port),
      SERVER_ID: name,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      API_KEYS: TEST_API_KEY,
      ...TEST_SERVER_DEFAULTS,
      AGONES_SDK_GRPC_PORT: String(grpcPort),
      AGONES_HEALTH_INTERVAL_MS: '500',
      ...(capacity ? { MAX_ROOMS: String(capacity) } : {}),
      ...this.env,
    });
    this.live.set(name, { uid: gs.metadata.uid, url, sidecar, sidecarLog, server, probeTimer });
    if (this.stopped) await this.remove(name);
  }

  private async remove(name: string): Promise<void> {
    const live = this.live.get(name);
    if (!live) return;
    this.live.delete(name);
    if (live.healthTimer) clearInterval(live.healthTimer);
    if (live.probeTimer) clearInterval(live.probeTimer);
    // A deleted pod: its containers get SIGTERM, then SIGKILL after the grace period.
    const server = live.server;
    server?.kill('SIGTERM');
    const timer = setTimeout(() => server?.kill('SIGKILL'), 5000);
    await Promise.all([server?.exited, stopProcess(live.sidecar, 5000)]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Launches in flight finish first: each ends its own processes once it sees `stopped`.
    for (let i = 0; this.starting.size > 0 && i < 150; i++) await new Promise((r) => setTimeout(r, 100));
    await Promise.all([...this.live.keys()].map((name) => this.remove(name)));
  }
}
