import type { CreatedRoom } from '@gamebuddies/protocol';
import { freePort } from './ports.js';
import { RunningProcess } from './processes.js';
import { TEST_SERVER_DEFAULTS } from './testKeys.js';
import { TEST_API_KEY } from './testServer.js';

/** The built game server (`gameserver/dist/main.js`) as its own process on a loopback port. */
export class ServerProcess {
  private constructor(
    readonly id: string,
    readonly url: string,
    readonly proc: RunningProcess,
  ) {}

  /** `env.PORT` picks the port (a test that must know it first, as an Agones sidecar does). */
  static async start(id: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const port = env.PORT ? Number(env.PORT) : await freePort();
    const proc = RunningProcess.node(['gameserver/dist/main.js'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      SERVER_ID: id,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      API_KEYS: TEST_API_KEY,
      ...TEST_SERVER_DEFAULTS,
      ...env,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc);
    } catch (error) {
      proc.kill('SIGKILL');
      throw error;
    }
    return new ServerProcess(id, `http://127.0.0.1:${port}`, proc);
  }

  async api(
    path: string,
    init: { method?: string; json?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(this.url + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async createRoom(body: Record<string, unknown> = { gameType: 'rps' }): Promise<CreatedRoom> {
    const res = await this.api('/v1/rooms', { method: 'POST', json: body });
    if (res.status !== 201)
      throw new Error(`createRoom on ${this.id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as CreatedRoom;
  }

  /** kill -9: no shutdown, no goodbye, leases left to expire. */
  async crash(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.proc.exited;
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
    await this.proc.exited;
    clearTimeout(timer);
  }
}

/** Polls until the URL answers 200 (whatever the log level), failing fast if the process exits. */
async function waitForHttp(url: string, proc: RunningProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null)
      throw new Error(`server exited (${proc.child.exitCode}):\n${proc.output}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer ${url}:\n${proc.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
