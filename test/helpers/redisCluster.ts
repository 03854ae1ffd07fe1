import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitForRedisPing } from './redisServer.js';

const run = promisify(execFile);

/** Children still running when this process exits are killed, so a failed run leaves no orphans. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The master's id, for a replica. */
  masterId: string | undefined;
  /** Slot ranges [from, to] served (masters). */
  slots: Array<[number, number]>;
  connected: boolean;
}

/** One redis-server of the cluster, on its own loopback port and data folder. */
class ClusterNode {
  child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'gb-rcluster-'));

  constructor(
    readonly port: number,
    readonly busPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        // The bus port is picked free too: port + 10000 may be taken (or beyond 65535).
        '--cluster-port',
        String(this.busPort),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.dir, 'nodes.conf'),
        // A dead master is noticed, and its replica promoted, within about a second.
        '--cluster-node-timeout',
        '1000',
        // A replica's first sync starts at once (the default waits 5 s for more replicas).
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server on ${this.port} exited with ${code}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForRedisPing(this.port), exited]);
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
  }

  get alive(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  client(): Redis {
    const c = new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null });
    c.on('error', () => undefined);
    return c;
  }
}

/**
 * A real Redis Cluster on loopback: three masters and one replica each (six `redis-server
 * --cluster-enabled yes`), made with `redis-cli --cluster create --cluster-replicas 1`. Every step
 * is bounded in time; `stop()` kills all nodes and removes their folders.
 */
export class RedisCluster {
  private constructor(private readonly nodes: ClusterNode[]) {}

  static async start(masters = 3, replicasPerMaster = 1): Promise<RedisCluster> {
    const count = masters * (1 + replicasPerMaster);
    const nodes: ClusterNode[] = [];
    const taken = new Set<number>();
    const pick = async () => {
      for (;;) {
        const port = await freePort();
        if (taken.has(port)) continue;
        taken.add(port);
        return port;
      }
    };
    for (let i = 0; i < count; i++) nodes.push(new ClusterNode(await pick(), await pick()));
    const cluster = new RedisCluster(nodes);
    try {
      await Promise.all(nodes.map((n) => n.launch()));
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => n.address),
          '--cluster-replicas',
          String(replicasPerMaster),
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      await cluster.waitUntilHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** REDIS_CLUSTER_NODES for a game server: every node as a seed. */
  get seeds(): string {
    return this.nodes.map((n) => n.address).join(',');
  }

  /** The same as a `redis+cluster://` REDIS_URL. */
  get url(): string {
    return `redis+cluster://${this.seeds}`;
  }

  /** A cluster client for assertions on what is really stored. */
  client(): Cluster {
    const c = new Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 2 }, retryDelayOnFailover: 200 },
    );
    c.on('error', () => undefined);
    return c;
  }

  /** One command on one node (not routed: `PUBSUB SHARDCHANNELS`, `INFO`, ...). */
  async on(port: number, ...args: string[]): Promise<unknown> {
    const c = this.node(port).client();
    try {
      return await c.call(args[0]!, ...args.slice(1));
    } finally {
      c.disconnect();
    }
  }

  /** The cluster as one live node sees it (`CLUSTER NODES`). */
  async topology(): Promise<ClusterNodeInfo[]> {
    for (const node of this.nodes.filter((n) => n.alive)) {
      const c = node.client();
      try {
        const text = (await c.call('CLUSTER', 'NODES')) as string;
        return parseNodes(text);
      } catch {
        // this node does not answer: ask the next one
      } finally {
        c.disconnect();
      }
    }
    throw new Error('no cluster node answers');
  }

  async masters(): Promise<ClusterNodeInfo[]> {
    return (await this.topology()).filter((n) => n.role === 'master' && n.connected && n.slots.length > 0);
  }

  /** The master serving a slot. */
  async masterOf(slot: number): Promise<ClusterNodeInfo> {
    const master = (await this.masters()).find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master;
  }

  /** Kills one node abruptly (SIGKILL), as a crashed machine. */
  async kill(port: number): Promise<void> {
    await this.node(port).signal('SIGKILL');
  }

  /** Freezes a node (SIGSTOP): it answers nothing, replication to it stops, as in a long stall. */
  pause(port: number): void {
    this.node(port).child?.kill('SIGSTOP');
  }

  resume(port: number): void {
    this.node(port).child?.kill('SIGCONT');
  }

  /** The replica of a master. */
  async replicaOf(masterPort: number): Promise<ClusterNodeInfo> {
    const topology = await this.topology();
    const master = topology.find((n) => n.port === masterPort)!;
    const replica = topology.find((n) => n.masterId === master.id);
    if (!replica) throw new Error(`no replica of ${masterPort}`);
    return replica;
  }

  /** Starts a killed node again on its port and data (it rejoins, as a replica if it was failed over). */
  async restart(port: number): Promise<void> {
    await this.node(port).launch();
  }

  /**
   * Moves one slot, keys included, from its master to another (what `redis-cli --cluster reshard`
   * does per slot): IMPORTING on the target, MIGRATING on the source, MIGRATE its keys in batches,
   * then SETSLOT NODE on both. Clients meanwhile get ASK for keys already moved and MOVED after.
   * `between` runs after the first batch, while the slot is half moved.
   */
  async moveSlot(slot: number, toPort: number, between?: () => Promise<void>): Promise<void> {
    const from = await this.masterOf(slot);
    const to = (await this.topology()).find((n) => n.port === toPort)!;
    const [source, target] = [this.node(from.port).client(), this.node(to.port).client()];
    try {
      await target.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id);
      await source.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id);
      let first = true;
      for (;;) {
        const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '10')) as string[];
        if (keys.length === 0) break;
        await source.call('MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys);
        if (first && between) await between();
        first = false;
      }
      for (const c of [target, source]) await c.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
    } finally {
      source.disconnect();
      target.disconnect();
    }
  }

  /** Waits until every live node reports `cluster_state:ok` and all agree on who serves every slot. */
  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.healthy()) return;
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not become healthy in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.signal('SIGKILL')));
    for (const n of this.nodes) rmSync(n.dir, { recursive: true, force: true });
  }

  private async healthy(): Promise<boolean> {
    const views: string[] = [];
    for (const node of this.nodes.filter((n) => n.alive)) {
      const c = node.client();
      try {
        const info = (await c.call('CLUSTER', 'INFO')) as string;
        if (!/cluster_state:ok/.test(info)) return false;
        // Replication is up: a master's replicas are in sync, a replica's link to its master is up.
        const replication = (await c.call('INFO', 'replication')) as string;
        if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
        if (/role:master/.test(replication) && /state=(?!online)/.test(replication)) return false;
        const nodes = parseNodes((await c.call('CLUSTER', 'NODES')) as string);
        views.push(
          nodes
            .filter((n) => n.role === 'master' && n.slots.length > 0)
            .map((n) => `${n.port}:${JSON.stringify(n.slots)}`)
            .sort()
            .join('|'),
        );
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }
    return views.length > 0 && views.every((v) => v === views[0]);
  }

  private node(port: number): ClusterNode {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on port ${port}`);
    return node;
  }
}

function parseNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, master, , , , link, ...slots] = line.split(' ');
      const port = Number(address!.split('@')[0]!.split(':')[1]);
      const flagList = flags!.split(',');
      return {
        id: id!,
        port,
        role: flagList.includes('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        connected: link === 'connected' && !flagList.includes('fail') && !flagList.includes('fail?'),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a!, b ?? a!] as [number, number];
          }),
      };
    });
}
