import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureHelm } from '../cluster/binaries.js';
import { CHART, renderChart } from '../cluster/chart.js';
import { freePort } from '../helpers/ports.js';
import { waitUntil } from '../helpers/wait.js';

// The chart's Redis preStop hook (Sentinel mode), run as the kubelet would run it in the master's
// pod, against a real master, replica and three Sentinels with passwords: the master hands over
// before it stops. Pods' DNS names cannot resolve here, so `valkey-cli` is a FAKE that maps
// `<statefulset>-<i>.<headless>` to 127.0.0.1 and pod i's Sentinel port, then runs redis-cli.

const PASSWORD = 'prestop-password-0123456789';
const STATEFULSET = 'gb-gamebuddies-redis';
const HEADLESS = `${STATEFULSET}-headless.gb.svc`;
const dir = mkdtempSync(join(tmpdir(), 'gb-prestop-'));
const children: ChildProcess[] = [];
let masterPort: number;
let replicaPort: number;
const sentinelPorts: number[] = [];
let prestop: string;

function redisServer(args: string[]): void {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.push(child);
}

function client(port: number): Redis {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    password: PASSWORD,
    lazyConnect: false,
    retryStrategy: () => null,
  });
  c.on('error', () => undefined);
  return c;
}

async function role(port: number): Promise<string> {
  const c = client(port);
  try {
    return ((await c.call('ROLE')) as [string])[0];
  } finally {
    c.disconnect();
  }
}

/** Runs the rendered prestop.sh in "pod" `index`, whose Redis listens on `redisPort`. */
function runPreStop(index: number, redisPort: number): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      'sh',
      [join(dir, 'prestop.sh')],
      {
        env: {
          PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
          HOSTNAME: `${STATEFULSET}-${index}`,
          HEADLESS,
          STATEFULSET,
          REPLICAS: '3',
          REDIS_PORT: String(redisPort),
          SENTINEL_PORT: '26379',
          MASTER_NAME: 'mymaster',
          PRESTOP_WAIT_SECONDS: '20',
          REDISCLI_AUTH: PASSWORD,
          ...Object.fromEntries(sentinelPorts.map((port, i) => [`FAKE_SENTINEL_PORT_${i}`, String(port)])),
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          output: stdout + stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

beforeAll(async () => {
  const helm = ensureHelm();
  const { objects } = renderChart(helm, {
    namespace: 'gb',
    valuesFiles: [join(CHART, 'ci/production-values.yaml')],
  });
  prestop = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === STATEFULSET)!.data[
    'prestop.sh'
  ];
  writeFileSync(join(dir, 'prestop.sh'), prestop);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin/valkey-cli'),
    [
      '#!/bin/bash',
      "# FAKE name resolution (see the test): pod names to 127.0.0.1 and that pod's Sentinel port.",
      'out=(); index=""',
      'while [ $# -gt 0 ]; do',
      '  case "$1" in',
      '    -h) index=$(printf "%s" "$2" | sed -n "s/^.*-\\([0-9][0-9]*\\)\\..*$/\\1/p"); out+=(-h 127.0.0.1); shift 2;;',
      '    *) out+=("$1"); shift;;',
      '  esac',
      'done',
      'if [ -n "$index" ]; then',
      '  var="FAKE_SENTINEL_PORT_$index"',
      '  for i in "${!out[@]}"; do [ "${out[$i]}" = "-p" ] && out[$((i + 1))]="${!var}"; done',
      'fi',
      'exec redis-cli "${out[@]}"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'bin/valkey-cli'), 0o755);

  masterPort = await freePort();
  replicaPort = await freePort();
  const common = ['--bind', '127.0.0.1', '--save', '', '--requirepass', PASSWORD, '--masterauth', PASSWORD];
  redisServer(['--port', String(masterPort), '--dir', dir, ...common]);
  redisServer([
    '--port',
    String(replicaPort),
    '--dir',
    dir,
    ...common,
    '--replicaof',
    '127.0.0.1',
    String(masterPort),
  ]);
  await waitUntil(
    async () => {
      const c = client(replicaPort);
      try {
        return String(await c.info('replication')).includes('master_link_status:up');
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    },
    15_000,
    'the replica to sync',
  );
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const sentinelDir = join(dir, `sentinel-${i}`);
    mkdirSync(sentinelDir);
    const config = join(sentinelDir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${sentinelDir}`,
        `sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`,
        `sentinel auth-pass mymaster ${PASSWORD}`,
        'sentinel down-after-milliseconds mymaster 2000',
        'sentinel failover-timeout mymaster 10000',
        `requirepass "${PASSWORD}"`,
      ].join('\n'),
    );
    sentinelPorts.push(port);
    redisServer([config, '--sentinel']);
  }
  // Every Sentinel knows the replica (a failover needs one to promote) and the others.
  await waitUntil(
    async () => {
      for (const port of sentinelPorts) {
        const c = client(port);
        try {
          const quorum = String(await c.call('SENTINEL', 'ckquorum', 'mymaster'));
          const replicas = (await c.call('SENTINEL', 'replicas', 'mymaster')) as unknown[];
          if (!quorum.startsWith('OK 3 usable') || replicas.length !== 1) return false;
        } catch {
          return false;
        } finally {
          c.disconnect();
        }
      }
      return true;
    },
    30_000,
    'the Sentinels to know the replica and each other',
  );
}, 60_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe("the chart's Redis preStop hook", () => {
  it('on a replica returns at once and changes nothing', async () => {
    const result = await runPreStop(1, replicaPort);
    expect(result.code).toBe(0);
    expect(result.output).not.toContain('failover asked');
    expect(await role(masterPort)).toBe('master');
  });

  it("on the master asks another pod's Sentinel to fail over and returns once a replica took over", async () => {
    const result = await runPreStop(0, masterPort);
    expect(result.code).toBe(0);
    // Not this pod's own Sentinel: it stops with the pod.
    expect(result.output).toContain(`failover asked of ${STATEFULSET}-1.${HEADLESS}`);
    expect(await role(masterPort)).not.toBe('master');
    expect(await role(replicaPort)).toBe('master');
    // Well inside the wait bound (the pod's grace period is 30 s).
    expect(result.ms).toBeLessThan(20_000);
  }, 40_000);
});

describe("the chart's Redis init script (Sentinel mode)", () => {
  // A password with the characters the config files' quoting must survive.
  const password = 'pa"ss\\word 0123456789';
  let init: string;
  let pod: string;

  function runInit(): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile(
        'sh',
        [join(pod, 'init.sh')],
        {
          env: {
            PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
            RUN_DIR: join(pod, 'run'),
            CONFIG_DIR: pod,
            DATA_DIR: join(pod, 'data'),
            HOSTNAME: `${STATEFULSET}-0`,
            HEADLESS,
            STATEFULSET,
            REPLICAS: '3',
            REDIS_MODE: 'sentinel',
            REDIS_PORT: '6379',
            SENTINEL_PORT: '26379',
            MASTER_NAME: 'mymaster',
            QUORUM: '2',
            DOWN_AFTER_MS: '5000',
            FAILOVER_TIMEOUT_MS: '60000',
            REDIS_PASSWORD: password,
            // No other pod answers: a fresh set.
            FAKE_SENTINEL_PORT_1: '1',
            FAKE_SENTINEL_PORT_2: '1',
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
  }

  beforeAll(() => {
    const { objects } = renderChart(ensureHelm(), {
      namespace: 'gb',
      valuesFiles: [join(CHART, 'ci/production-values.yaml')],
    });
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === STATEFULSET)!.data;
    init = config['init.sh'];
    pod = mkdtempSync(join(dir, 'pod-'));
    for (const sub of ['run', 'data']) mkdirSync(join(pod, sub));
    writeFileSync(join(pod, 'init.sh'), init);
    writeFileSync(join(pod, 'redis.conf'), config['redis.conf']);
  });

  it('gives Sentinel the password, once, across restarts after Sentinel rewrote its file', async () => {
    expect((await runInit()).code).toBe(0);
    const sentinelConf = () => readFileSync(join(pod, 'data/sentinel.conf'), 'utf8');
    const quoted = `"${password.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    expect(sentinelConf()).toContain(`requirepass ${quoted}\n`);
    expect(sentinelConf()).toContain(`sentinel auth-pass mymaster ${quoted}\n`);
    // What Sentinel's CONFIG REWRITE leaves in the file after it ran with the password.
    writeFileSync(
      join(pod, 'data/sentinel.conf'),
      `${sentinelConf()}user default on sanitize-payload #0123 ~* &* +@all\nsentinel myid 0123456789abcdef\n`,
    );
    expect((await runInit()).code).toBe(0);
    const lines = sentinelConf().split('\n');
    expect(lines.filter((l) => l.startsWith('requirepass '))).toEqual([`requirepass ${quoted}`]);
    expect(lines.filter((l) => l.startsWith('user default '))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('sentinel auth-pass '))).toHaveLength(1);
    // What Sentinel learned stays.
    expect(lines).toContain('sentinel myid 0123456789abcdef');
    // Redis itself: the same password, both ways (a replica authenticates to its master).
    const redisConf = readFileSync(join(pod, 'run/redis.conf'), 'utf8');
    expect(redisConf).toContain(`requirepass ${quoted}\nmasterauth ${quoted}\n`);
  });

  it('writes files a real redis-server accepts, and that Redis then requires the password', async () => {
    const port = await freePort();
    const conf = readFileSync(join(pod, 'run/redis.conf'), 'utf8')
      .replace(/^port .*$/m, `port ${port}`)
      .replace(/^dir .*$/m, `dir ${pod}`)
      // Pod 0 is the master of a fresh set; the pod's announced name does not resolve here.
      .replace(/^replica-announce-ip .*$/m, '');
    writeFileSync(join(pod, 'test-redis.conf'), `${conf}\nbind 127.0.0.1\n`);
    redisServer([join(pod, 'test-redis.conf')]);
    // Without the password: refused, once the server is up.
    const refusal = await waitUntil(
      async () => {
        const anonymous = new Redis({
          host: '127.0.0.1',
          port,
          retryStrategy: () => null,
          lazyConnect: true,
          // No ready check: its INFO would be refused too, before the command under test.
          enableReadyCheck: false,
        });
        anonymous.on('error', () => undefined);
        try {
          await anonymous.connect();
          return await anonymous.get('x').then(
            () => 'answered',
            (error: Error) => error.message,
          );
        } catch {
          return undefined;
        } finally {
          anonymous.disconnect();
        }
      },
      10_000,
      'redis-server with the generated config',
    );
    expect(refusal).toMatch(/NOAUTH/);
    const authed = new Redis({ host: '127.0.0.1', port, password, retryStrategy: () => null });
    expect(await authed.set('x', '1')).toBe('OK');
    expect(await authed.config('GET', 'maxmemory')).toEqual(['maxmemory', '402653184']);
    authed.disconnect();
  });
});
