import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAgones } from '../cluster/agones/build.js';
import { freePort } from './ports.js';
import { RunningProcess } from './processes.js';
import { waitUntil } from './wait.js';

/**
 * Agones' own SDK server in local mode (`sdk-server --local`, built from Agones v1.60.0 by
 * `npm run cluster:build`) as the game server's sidecar in the integration layer, which runs without
 * the test control plane. The game server talks gRPC to it exactly as to the sidecar in a pod; the
 * test reads the GameServer through the sidecar's REST gateway. What Agones' controller (or
 * `kubectl`) does to a GameServer — an allocation adding a room code, a label — is done the one way
 * the local server offers: rewriting the GameServer file it watches, as Agones' local-development
 * docs describe.
 */

export interface GameServerView {
  state: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  lists: Record<string, { capacity: number; values: string[] }>;
  counters: Record<string, { count: number; capacity: number }>;
}

interface GatewayGameServer {
  object_meta: { labels?: Record<string, string>; annotations?: Record<string, string> };
  status: {
    state: string;
    lists?: Record<string, { capacity: string; values?: string[] }>;
    counters?: Record<string, { count: string; capacity: string }>;
  };
}

/** How long a rewritten file may take to reach the sidecar's GameServer (fsnotify, then a re-read). */
const FILE_CHANGE_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 3000;

export class LocalAgonesSdk {
  private constructor(
    private readonly process: RunningProcess,
    private readonly dir: string,
    private readonly file: string,
    readonly grpcPort: number,
    private readonly httpPort: number,
    private readonly port: number,
  ) {}

  /** Starts the sidecar with a Scheduled GameServer (an empty `rooms` List, a `players` Counter). */
  static async start(options: { port: number; labels?: Record<string, string> }): Promise<LocalAgonesSdk> {
    const { sdkServer } = await ensureAgones((line) => console.log(line));
    const dir = mkdtempSync(join(tmpdir(), 'gb-sdk-'));
    const file = join(dir, 'gameserver.json');
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(
      file,
      gameServerFile(options.port, {
        state: 'Scheduled',
        labels: options.labels ?? {},
        annotations: {},
        // The local server takes the largest List capacity it allows from a List named `players`
        // (Agones' CRD allows 1000); UpdateList fails without one.
        lists: { rooms: { capacity: 0, values: [] }, players: { capacity: 1000, values: [] } },
        counters: { players: { count: 0, capacity: 1000 } },
      }),
    );
    const process = new RunningProcess(
      spawn(
        sdkServer,
        [
          '--local',
          `--file=${file}`,
          '--address=127.0.0.1',
          `--grpc-port=${grpcPort}`,
          `--http-port=${httpPort}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    const sdk = new LocalAgonesSdk(process, dir, file, grpcPort, httpPort, options.port);
    await waitUntil(
      async () => (await sdk.gameServer().catch(() => null)) !== null,
      10_000,
      `Agones' local sdk-server to answer:\n${process.output}`,
    );
    return sdk;
  }

  /** The GameServer as the sidecar holds it (its REST gateway's `GET /gameserver`). */
  async gameServer(): Promise<GameServerView> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/gameserver`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`sdk-server GET /gameserver: ${response.status}`);
    const gs = (await response.json()) as GatewayGameServer;
    return {
      state: gs.status.state,
      labels: gs.object_meta.labels ?? {},
      annotations: gs.object_meta.annotations ?? {},
      lists: Object.fromEntries(
        Object.entries(gs.status.lists ?? {}).map(([name, l]) => [
          name,
          { capacity: Number(l.capacity), values: l.values ?? [] },
        ]),
      ),
      counters: Object.fromEntries(
        Object.entries(gs.status.counters ?? {}).map(([name, c]) => [
          name,
          { count: Number(c.count), capacity: Number(c.capacity) },
        ]),
      ),
    };
  }

  async state(): Promise<string> {
    return (await this.gameServer()).state;
  }

  async rooms(): Promise<string[]> {
    return (await this.gameServer()).lists.rooms?.values ?? [];
  }

  /** What Agones' allocation does: the code joins the rooms List and the server is Allocated. */
  async allocateRoom(code: string): Promise<void> {
    await this.change((gs) => {
      if (!['Ready', 'Allocated'].includes(gs.state))
        throw new Error(`Agones allocates only Ready or Allocated GameServers (this one is ${gs.state})`);
      gs.lists.rooms!.values.push(code);
      gs.state = 'Allocated';
    });
  }

  /** What the operator does when a room moves away or is deleted. */
  async removeRoom(code: string): Promise<void> {
    await this.change((gs) => {
      gs.lists.rooms!.values = gs.lists.rooms!.values.filter((v) => v !== code);
    });
  }

  /** What `kubectl label gs …` or the Fleet's allocationOverflow does. */
  async setLabel(key: string, value: string): Promise<void> {
    await this.change((gs) => {
      gs.labels[key] = value;
    });
  }

  /** How many times the sidecar logged a request (its log names each SDK call it serves). */
  requests(message: SidecarRequest): number {
    return this.process.output.split('\n').filter((line) => line.includes(`"message":"${message}"`)).length;
  }

  get log(): string {
    return this.process.output;
  }

  async stop(): Promise<void> {
    this.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.process.exited.then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), 3000))),
    ]);
    clearTimeout(timer);
    if (!exited) {
      this.process.kill('SIGKILL');
      await this.process.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Reads the GameServer, changes it, and writes the file back in place (the sidecar watches for
   * writes, not renames), then waits until the sidecar holds the change. The file replaces the
   * sidecar's whole GameServer, so it starts from what the sidecar holds now.
   */
  private async change(apply: (gs: GameServerView) => void): Promise<void> {
    const gs = await this.gameServer();
    apply(gs);
    const wanted = JSON.stringify(comparable(gs));
    writeFileSync(this.file, gameServerFile(this.port, gs));
    await waitUntil(
      async () => JSON.stringify(comparable(await this.gameServer())) === wanted,
      FILE_CHANGE_TIMEOUT_MS,
      'the sidecar to read the changed GameServer file',
    );
  }
}

/** Messages Agones' local SDK server logs for the calls a test counts. */
export type SidecarRequest =
  | 'Ready request has been received!'
  | 'Shutdown request has been received!'
  | 'Health Ping Received!'
  | 'Getting GameServer details'
  | 'Connected to watch GameServer...'
  | 'Updating List'
  | 'Updating Counter'
  | 'Removing Value from List';

function comparable(gs: GameServerView) {
  return { state: gs.state, labels: gs.labels, rooms: gs.lists.rooms?.values };
}

function gameServerFile(port: number, gs: GameServerView): string {
  return JSON.stringify({
    apiVersion: 'agones.dev/v1',
    kind: 'GameServer',
    metadata: { name: `gameserver-${port}`, labels: gs.labels, annotations: gs.annotations },
    spec: { ports: [{ name: 'default', containerPort: port }] },
    status: {
      state: gs.state,
      address: '127.0.0.1',
      ports: [{ name: 'default', port }],
      lists: gs.lists,
      counters: gs.counters,
    },
  });
}
