import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AppError } from '@gamebuddies/protocol';
import type { Logger } from '@gamebuddies/rooms';
const ENTRY = fileURLToPath(new URL('../main.js', import.meta.url));
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;

export type MemberState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface MemberHealth {
  status: string;
  rooms: number | null;
  players: number;
}

/**
 * One game-server process of the local fleet: the same binary as `npm start`, on its own port.
 * Restarted with back-off when it dies, keeping its port and id so links to it stay valid.
 */
export class FleetMember {
  state: MemberState = 'starting';
  restarts = 0;
  health: MemberHealth | undefined;
  private child?: ChildProcess;
  private restartTimer?: NodeJS.Timeout;
  private onExitListeners: Array<(member: FleetMember) => void> = [];

  constructor(
    readonly id: string,
    readonly port: number,
    readonly url: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly internalKey: string,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.state === 'running';
  }

  /** Called each time the process exits unexpectedly (before it is restarted). */
  onExit(listener: (member: FleetMember) => void): void {
    this.onExitListeners.push(listener);
  }

  start(): void {
    this.state = 'starting';
    const child = spawn(process.execPath, [ENTRY], {
      env: {
        ...this.env,
        PORT: String(this.port),
        SERVER_ID: this.id,
        PUBLIC_URL: this.url,
        API_KEYS: this.internalKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // The members' JSON log lines go out unchanged: they carry their serverId.
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${line}\n`));
    }
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.health = undefined;
      if (this.state === 'stopped') return;
      this.log.warn({ member: this.id, code, signal }, 'game server exited; restarting it');
      this.state = 'restarting';
      for (const listener of this.onExitListeners) listener(this);
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.min(this.restarts, 6));
      this.restarts++;
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  /** Counts a room placed here before the next health poll sees it, so a burst of creations spreads. */
  noteRoomCreated(): void {
    if (this.health?.rooms != null) this.health.rooms++;
  }

  /** Polls the member; it is `running` once it answers. */
  async check(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'restarting') return;
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json()) as MemberHealth;
      this.health = body;
      if (this.state === 'starting') {
        this.log.info({ member: this.id, url: this.url, pid: this.pid }, 'game server running');
      }
      this.state = 'running';
    } catch {
      this.health = undefined;
    }
  }

  /** Calls the member's HTTP API with the fleet's internal key; its error bodies come back as AppErrors. */
  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(this.url + path, {
        method,
        headers: { authorization: `Bearer ${this.internalKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new AppError('SERVER_DRAINING', `Game server ${this.id} is not answering`);
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as T) : (undefined as T);
    if (!response.ok) {
      const error = (parsed as { error?: { code: AppError['code']; message: string } })?.error;
      throw new AppError(
        error?.code ?? 'INTERNAL',
        error?.message ?? `Game server ${this.id} answered ${response.status}`,
      );
    }
    return { status: response.status, body: parsed };
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(force);
  }
}
