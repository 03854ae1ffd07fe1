import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRedisClient, type RedisClient } from '@gamebuddies/rooms';
import { freePort } from '../helpers/ports.js';
import { RedisServer } from '../helpers/redisServer.js';
import { waitUntil } from '../helpers/wait.js';

// Sentinels with `requirepass`, as the chart runs them: a client finds the master only when it
// authenticates to the Sentinel (REDIS_SENTINEL_PASSWORD → ioredis `sentinelPassword`), and someone
// without the password cannot ask a Sentinel who the master is.

const PASSWORD = 'sentinel-password-0123456789';
let redis: RedisServer;
const sentinels: ChildProcess[] = [];
const sentinelPorts: number[] = [];
let sentinelPort: number;
const dir = mkdtempSync(join(tmpdir(), 'gb-sentinel-auth-'));
const clients: RedisClient[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  // Three, as the chart runs them (quorum 2), each with the same requirepass.
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const config = join(dir, `sentinel-${i}.conf`);
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${redis.port} 2`,
        `requirepass "${PASSWORD}"`,
      ].join('\n'),
    );
    sentinelPorts.push(port);
    sentinels.push(spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' }));
  }
  sentinelPort = sentinelPorts[0]!;
  await waitUntil(
    async () => {
      const client = sentinelClient(PASSWORD);
      try {
        const master = (await client.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as
          string[] | null;
        return master?.[1] === String(redis.port);
      } catch {
        return false;
      } finally {
        client.disconnect();
      }
    },
    10_000,
    'the sentinel to know the master',
  );
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  for (const sentinel of sentinels) sentinel.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sentinelClient(password?: string): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: sentinelPort,
    ...(password ? { password } : {}),
    retryStrategy: () => null,
    lazyConnect: false,
  });
  client.on('error', () => undefined);
  return client;
}

function client(sentinelPassword: string | undefined): RedisClient {
  const c = createRedisClient(
    {
      redisUrl: undefined,
      redisSentinels: [`127.0.0.1:${sentinelPort}`],
      redisSentinelMaster: 'mymaster',
      redisPassword: undefined,
      redisSentinelPassword: sentinelPassword,
    },
    { name: 'sentinel-auth-test', failFast: false },
  );
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

describe('Sentinels that require a password', () => {
  it('refuse to name the master to a client without it', async () => {
    const anonymous = sentinelClient();
    await expect(anonymous.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
  });

  it('still see each other and can agree on a failover (they authenticate to each other with it)', async () => {
    const c = sentinelClient(PASSWORD);
    try {
      await waitUntil(
        async () =>
          String(await c.call('SENTINEL', 'ckquorum', 'mymaster').catch(() => '')).startsWith('OK 3 usable'),
        15_000,
        'the three Sentinels to find each other',
      );
    } finally {
      c.disconnect();
    }
  });

  it('lead a client with REDIS_SENTINEL_PASSWORD to the master', async () => {
    const c = client(PASSWORD);
    expect(await c.set('sentinel-auth', 'ok')).toBe('OK');
    expect(await c.get('sentinel-auth')).toBe('ok');
  });

  it('leave a client without it with no master to talk to', async () => {
    const c = client(undefined);
    const outcome = await Promise.race([
      c.ping().then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('no master'), 1500)),
    ]);
    expect(outcome).toBe('no master');
  });
});
