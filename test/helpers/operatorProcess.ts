import { freePort } from './ports.js';
import { RunningProcess } from './processes.js';
import { waitUntil } from './wait.js';
import { TEST_TOKEN_ENCRYPTION_KEY } from './testKeys.js';

/** `node operator/dist/main.js`: the operator as its Deployment runs it, against the test control plane. */
export class OperatorProcess {
  private constructor(
    readonly apiUrl: string,
    readonly probeUrl: string,
    readonly proc: RunningProcess,
  ) {}

  static async start(env: Record<string, string>): Promise<OperatorProcess> {
    const [port, probePort] = [await freePort(), await freePort()];
    const proc = RunningProcess.node(['operator/dist/main.js'], {
      HOST: '127.0.0.1',
      PORT: String(port),
      PROBE_PORT: String(probePort),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      LEASE_DURATION_SECONDS: '3',
      RENEW_DEADLINE_MS: '2000',
      RETRY_PERIOD_MS: '300',
      REFRESH_SECONDS: '1',
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_ENCRYPTION_KEY,
      ...env,
    });
    const operator = new OperatorProcess(`http://127.0.0.1:${port}`, `http://127.0.0.1:${probePort}`, proc);
    await waitUntil(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`operator exited:\n${proc.output}`);
        return (await fetch(`${operator.probeUrl}/readyz`).catch(() => null))?.ok;
      },
      30_000,
      'the operator to be ready',
    ).catch((error: unknown) => {
      proc.kill('SIGKILL');
      throw error;
    });
    return operator;
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.probeUrl}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        total += Number(line.split(' ').at(-1));
    }
    return total;
  }

  async isLeader(): Promise<boolean> {
    return (await this.metric('leader_election_master_status')) === 1;
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await this.proc.exited;
    clearTimeout(timer);
  }

  async crash(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.proc.exited;
  }
}
