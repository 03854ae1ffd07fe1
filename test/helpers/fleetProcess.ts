import { freePort } from './ports.js';
import { RunningProcess } from './processes.js';
import { ADMIN_KEY, CONTRACT_API_KEYS } from '../api/roomsApiContract.js';
import { waitUntil } from './wait.js';
import { TEST_TOKEN_ENCRYPTION_KEY } from './testKeys.js';

export interface FleetMemberInfo {
  id: string;
  url: string;
  pid: number | null;
  state: string;
  restarts: number;
}

/** `node gameserver/dist/main.js --servers N`: the local fleet as a user starts it. */
export class FleetProcess {
  private constructor(
    readonly url: string,
    readonly proc: RunningProcess,
  ) {}

  static async start(servers: number, env: Record<string, string> = {}): Promise<FleetProcess> {
    const port = await freePort();
    const proc = RunningProcess.node(['gameserver/dist/main.js', '--servers', String(servers)], {
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: CONTRACT_API_KEYS,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      JOIN_FAILURES_PER_MINUTE: '1000',
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_ENCRYPTION_KEY,
      ...env,
    });
    const fleet = new FleetProcess(`http://127.0.0.1:${port}`, proc);
    try {
      await waitUntil(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`fleet exited:\n${proc.output}`);
          return (await fetch(`${fleet.url}/health`).catch(() => null))?.ok;
        },
        30_000,
        'the fleet to answer',
      );
    } catch (error) {
      proc.kill('SIGKILL');
      throw error;
    }
    return fleet;
  }

  async members(): Promise<FleetMemberInfo[]> {
    const response = await fetch(`${this.url}/fleet`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    return ((await response.json()) as { members: FleetMemberInfo[] }).members;
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
    await this.proc.exited;
    clearTimeout(timer);
  }
}
