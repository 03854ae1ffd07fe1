import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TestPlayer } from '../helpers/players.js';
import { waitUntil } from '../helpers/wait.js';

// A game server that finds its Redis through a real Sentinel (redis-server --sentinel).

let redis: RedisServer;
let sentinel: ChildProcess;
let sentinelPort: number;
const dir = mkdtempSync(join(tmpdir(), 'gb-sentinel-'));

beforeAll(async () => {
  redis = await RedisServer.start();
  sentinelPort = await freePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${redis.port} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
    ].join('\n'),
  );
  sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  await waitUntil(
    async () => {
      const { Redis } = await import('ioredis');
      const client = new Redis({
        port: sentinelPort,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
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
  sentinel?.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis through Sentinel', () => {
  it('runs rooms on the master the Sentinel names', async () => {
    const server = await ServerProcess.start('sentinel-1', {
      REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      REDIS_SENTINEL_MASTER: 'mymaster',
      REDIS_KEY_PREFIX: 'sentinel:',
    });
    try {
      const room = await server.createRoom();
      const host = await TestPlayer.join(server.url, {
        roomCode: room.roomCode,
        name: 'Host',
        token: room.hostToken,
      });
      expect(await host.emit('room:chat', { text: 'via sentinel' })).toMatchObject({ ok: true });
      host.close();
      const client = redis.client();
      const keys = await client.keys('sentinel:room:*');
      client.disconnect();
      expect(keys).toContain(`sentinel:room:${room.roomCode}`);
      expect((await server.api('/health')).body.status).toBe('healthy');
    } finally {
      await server.stop();
    }
  });
});
