import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every process this load generator starts is tracked here. A normal end stops them politely; an
 * exit of any kind (error, deadline, signal) kills whatever is left, so a run leaves no orphans.
 */
const children = new Set<ChildProcess>();
process.once('exit', () => killAll());

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** A child process whose last output lines are kept for error messages. */
export class Child {
  readonly exited: Promise<number | null>;
  /** The first 8 KB of output (start-up lines such as the inspector's address). */
  head = '';
  private tail: string[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    children.add(child);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        if (this.head.length < 8192) this.head += chunk.slice(0, 8192 - this.head.length);
        this.tail.push(...chunk.split('\n').filter(Boolean));
        if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
      });
    }
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        children.delete(child);
        resolve(code);
      }),
    );
  }

  static spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
    return new Child(
      name,
      spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options }),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; fails with the process's output if it exits first. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  proc: Child,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited while waiting for ${what}:\n${proc.output}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${proc.output}`);
    await sleep(100);
  }
}

/** A redis-server for the run: free loopback port, its own folder, AOF fsync'd every second. */
export class RedisLauncher {
  private constructor(
    readonly proc: Child,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisLauncher> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'gb-load-redis-'));
    const proc = Child.spawn('redis-server', 'redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--loglevel',
      'warning',
    ]);
    proc.child.once('error', () => undefined);
    const redis = new RedisLauncher(proc, port, dir);
    await waitFor('redis-server to answer PING', () => ping(port), proc, 10_000).catch((error: Error) => {
      throw new Error(`${error.message}\n(is redis-server installed? apt-get install redis-server)`);
    });
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.proc.stop(5000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `--redis cluster`: a Redis Cluster of three masters with one replica each on loopback
 * (`redis-server --cluster-enabled yes` ×6, `redis-cli --cluster create --cluster-replicas 1`), the
 * same append-only settings as the single redis-server. The game servers get its
 * `redis+cluster://` URL.
 */
export class RedisClusterLauncher {
  private constructor(
    readonly procs: Child[],
    readonly ports: number[],
    private readonly dirs: string[],
  ) {}

  static async start(): Promise<RedisClusterLauncher> {
    // A client port and a cluster-bus port per node, all distinct.
    const free = new Set<number>();
    while (free.size < 12) free.add(await freePort());
    const [ports, busPorts] = [[...free].slice(0, 6), [...free].slice(6)];
    const dirs = ports.map(() => mkdtempSync(join(tmpdir(), 'gb-load-rcluster-')));
    const procs = ports.map((port, i) =>
      Child.spawn(`redis-server ${port}`, 'redis-server', [
        '--port',
        String(port),
        '--cluster-port',
        String(busPorts[i]),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dirs[i]!, 'nodes.conf'),
        '--repl-diskless-sync-delay',
        '0',
        '--bind',
        '127.0.0.1',
        '--dir',
        dirs[i]!,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--loglevel',
        'warning',
      ]),
    );
    const cluster = new RedisClusterLauncher(procs, ports, dirs);
    try {
      for (const [i, port] of ports.entries()) {
        procs[i]!.child.once('error', () => undefined);
        await waitFor('redis-server to answer PING', () => ping(port), procs[i]!, 10_000);
      }
      await promisify(execFile)(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((p) => `127.0.0.1:${p}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      for (const [i, port] of ports.entries())
        await waitFor('the Redis Cluster to be ready', () => clusterOk(port), procs[i]!, 30_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `redis+cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop(5000)));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function clusterOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('CLUSTER INFO\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('cluster_state:')) done(reply.includes('cluster_state:ok'));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** CPU seconds (user + system) and RSS of any process, from /proc (Linux). */
export function procSample(pid: number): { cpuSeconds: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const rssPages = Number(fields[21]); // field 24
    return { cpuSeconds: ticks / CLOCK_TICKS, rssBytes: rssPages * PAGE_SIZE };
  } catch {
    return null;
  }
}

// getconf CLK_TCK and PAGESIZE on Linux x86-64 and arm64.
const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

/**
 * Runs a full garbage collection in a process started with `--inspect=127.0.0.1:0`, through the
 * inspector protocol (HeapProfiler.collectGarbage): live memory, not garbage, per connection.
 */
export async function collectGarbage(proc: Child): Promise<boolean> {
  return (await inspect(proc, 'HeapProfiler.collectGarbage')) !== null;
}

/** Writes a heap snapshot of a process started with `--inspect=127.0.0.1:0` (for `npm run bench -- --heap-snapshot DIR`). */
export async function heapSnapshot(proc: Child, file: string): Promise<boolean> {
  const { createWriteStream } = await import('node:fs');
  const out = createWriteStream(file);
  const ok =
    (await inspect(proc, 'HeapProfiler.takeHeapSnapshot', (event, params) => {
      if (event === 'HeapProfiler.addHeapSnapshotChunk') out.write((params as { chunk: string }).chunk);
    })) !== null;
  await new Promise((resolve) => out.end(resolve));
  return ok;
}

async function inspect(
  proc: Child,
  method: string,
  onEvent?: (event: string, params: unknown) => void,
): Promise<unknown> {
  const url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(proc.head)?.[0];
  if (!url) return null;
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 1024 ** 3 });
    const timer = setTimeout(() => done(null), 120_000);
    const done = (result: unknown) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(result);
    };
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method })));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        id?: number;
        method?: string;
        params?: unknown;
        result?: unknown;
      };
      if (message.id === 1) done(message.result ?? {});
      else if (message.method) onEvent?.(message.method, message.params);
    });
    ws.on('error', () => done(null));
  });
}
