import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitForRedisPing, withLoopbackRedis } from './redisServer.js';
import { waitUntil } from './wait.js';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The network between the master and its replica, as a TCP relay the test can stall: while stalled,
 * what the master sends is held back (a slow or congested link); if the master dies meanwhile, the
 * held bytes are lost with it, as they would be on a real network. Replica → master always flows.
 */
export class ReplicationLink {
  private stalled = false;
  private readonly pairs = new Set<{ replica: Socket; master: Socket; held: Buffer[] }>();

  private constructor(
    readonly port: number,
    private readonly server: Server,
  ) {}

  static async start(masterPort: number): Promise<ReplicationLink> {
    const port = await freePort();
    const server = createServer();
    const link = new ReplicationLink(port, server);
    server.on('connection', (replica) => link.relay(replica, masterPort));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return link;
  }

  stall(): void {
    this.stalled = true;
  }

  close(): void {
    for (const pair of this.pairs) {
      pair.replica.destroy();
      pair.master.destroy();
    }
    this.server.close();
  }

  private relay(replica: Socket, masterPort: number): void {
    const master = new Socket();
    const pair = { replica, master, held: [] as Buffer[] };
    this.pairs.add(pair);
    master.connect(masterPort, '127.0.0.1');
    replica.on('data', (chunk: Buffer) => master.write(chunk));
    master.on('data', (chunk: Buffer) => {
      if (this.stalled) pair.held.push(chunk);
      else replica.write(chunk);
    });
    const end = () => {
      this.pairs.delete(pair);
      pair.held = []; // in flight when the master died: never arrives
      replica.destroy();
      master.destroy();
    };
    for (const socket of [replica, master]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  }
}

interface Node {
  port: number;
  dir: string;
  args: string[];
  child?: ChildProcess;
}

/**
 * A real Sentinel group on loopback: one master, one replica (replicating through a
 * ReplicationLink), three Sentinels with a quorum of two. Processes are real `redis-server`s.
 */
export class SentinelGroup {
  static readonly MASTER_NAME = 'mymaster';
  private readonly root = mkdtempSync(join(tmpdir(), 'gb-sentinel-group-'));
  private readonly sentinelNodes: Node[] = [];
  readonly master: Node;
  readonly replica: Node;
  link!: ReplicationLink;

  private constructor(masterPort: number, replicaPort: number) {
    this.master = this.node(masterPort, 'master');
    this.replica = this.node(replicaPort, 'replica');
  }

  static async start(): Promise<SentinelGroup> {
    const group = new SentinelGroup(await freePort(), await freePort());
    await group.launch(group.master);
    await waitForRedisPing(group.master.port);
    group.link = await ReplicationLink.start(group.master.port);
    group.replica.args.push('--replicaof', '127.0.0.1', String(group.link.port));
    await group.launch(group.replica);
    await waitUntil(
      async () => (await group.info(group.replica.port, 'replication')).includes('master_link_status:up'),
      15_000,
      'the replica to sync',
    );
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = join(group.root, `sentinel-${i}`);
      mkdirSync(dir, { recursive: true });
      const config = join(dir, 'sentinel.conf');
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SentinelGroup.MASTER_NAME} 127.0.0.1 ${group.master.port} 2`,
          `sentinel down-after-milliseconds ${SentinelGroup.MASTER_NAME} 1000`,
          `sentinel failover-timeout ${SentinelGroup.MASTER_NAME} 4000`,
          `sentinel parallel-syncs ${SentinelGroup.MASTER_NAME} 1`,
        ].join('\n'),
      );
      const node: Node = { port, dir, args: [config, '--sentinel'] };
      group.sentinelNodes.push(node);
      await group.launch(node);
    }
    // Every Sentinel knows the replica and the two other Sentinels before anything may fail.
    await waitUntil(
      async () => {
        for (const s of group.sentinelNodes) {
          const fields = await group.sentinelMaster(s.port).catch(() => null);
          if (!fields || fields['num-other-sentinels'] !== '2' || fields['num-slaves'] !== '1') return false;
        }
        return true;
      },
      20_000,
      'the Sentinels to know each other and the replica',
    );
    return group;
  }

  /** `REDIS_SENTINELS` for the game server. */
  get sentinels(): string {
    return this.sentinelNodes.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The master's port as the Sentinels name it now. */
  async masterPort(): Promise<number | null> {
    for (const s of this.sentinelNodes) {
      const answer = await withLoopbackRedis(s.port, (c) =>
        c.call('SENTINEL', 'get-master-addr-by-name', SentinelGroup.MASTER_NAME),
      ).catch(() => null);
      if (Array.isArray(answer)) return Number(answer[1]);
    }
    return null;
  }

  /** kill -9 of a Redis node. */
  async kill(node: Node): Promise<void> {
    const child = node.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** Starts a killed node again on its port with its data, as Kubernetes restarts a pod. */
  async restart(node: Node): Promise<void> {
    await this.launch(node);
    await waitForRedisPing(node.port);
  }

  client(port: number): Redis {
    return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  }

  async stop(): Promise<void> {
    this.link?.close();
    for (const node of [...this.sentinelNodes, this.master, this.replica]) await this.kill(node);
    rmSync(this.root, { recursive: true, force: true });
  }

  private node(port: number, name: string): Node {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    return {
      port,
      dir,
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--loglevel',
        'warning',
      ],
    };
  }

  private async launch(node: Node): Promise<void> {
    const child = spawn('redis-server', node.args, { stdio: 'ignore' });
    node.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
  }

  private async info(port: number, section: string): Promise<string> {
    return (await withLoopbackRedis(port, (c) => c.info(section)).catch(() => '')) as string;
  }

  private async sentinelMaster(port: number): Promise<Record<string, string>> {
    const flat = (await withLoopbackRedis(port, (c) =>
      c.call('SENTINEL', 'master', SentinelGroup.MASTER_NAME),
    )) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return fields;
  }
}
