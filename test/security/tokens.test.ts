import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { httpRequest, NginxProxy } from '../helpers/nginx.js';
import { TestPlayer } from '../helpers/players.js';
import { RedisServer } from '../helpers/redisServer.js';
import { ServerProcess } from '../helpers/serverProcess.js';
import { TEST_API_KEY } from '../helpers/testServer.js';

// Tokens are never at rest in plaintext and never in a log: a game server on Redis behind nginx,
// logging everything (LOG_LEVEL=trace), creates rooms idempotently and sends its host and players
// through their links; then Redis, the server's log and nginx's access log are searched for them.

let redis: RedisServer;
let server: ServerProcess;
let proxy: NginxProxy;
const prefix = `tok${randomBytes(3).toString('hex')}:`;

beforeAll(async () => {
  redis = await RedisServer.start();
  server = await ServerProcess.start('tokens', {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'trace',
    TRUST_PROXY: '127.0.0.1',
  });
  proxy = await NginxProxy.start(server.url);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
  await redis?.stop();
});

async function everythingInRedis(): Promise<string> {
  const client = redis.client();
  try {
    const keys = await client.keys(`${prefix}*`);
    const values: string[] = [];
    for (const key of keys) {
      const type = await client.type(key);
      if (type === 'string') values.push((await client.get(key)) ?? '');
      else if (type === 'hash') values.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'zset') values.push(JSON.stringify(await client.zrange(key, 0, -1)));
    }
    return keys.join('\n') + values.join('\n');
  } finally {
    client.disconnect();
  }
}

const create = (idempotencyKey: string) =>
  httpRequest(`${proxy.url}/v1/rooms`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_API_KEY}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify({ gameType: 'rps', hostName: 'Host' }),
  });

describe('no token at rest or in logs', () => {
  it('an idempotent create keeps no plaintext host token in Redis, and its replay returns the same one', async () => {
    const key = randomUUID();
    const first = await create(key);
    expect(first.status).toBe(201);
    const { hostToken, roomCode } = first.body;
    const stored = await everythingInRedis();
    expect(stored).toContain(`room:${roomCode}`);
    expect(stored).not.toContain(hostToken);

    const replay = await create(key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.hostToken).toBe(hostToken);
    expect(replay.body.roomCode).toBe(roomCode);
  });

  it('host links carry the token in the fragment; servers and proxies never see it', async () => {
    const created = (await create(randomUUID())).body;
    const link = new URL(created.hostJoinUrl);
    expect(link.search).toBe('?role=host');
    expect(link.hash).toBe(`#token=${created.hostToken}`);

    // A browser sends the path without the fragment, through the proxy, and keeps the fragment.
    const redirect = await httpRequest(`${proxy.url}${link.pathname}${link.search}`, { from: '127.0.0.20' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers['referrer-policy']).toBe('no-referrer');
    expect(redirect.headers.location).toBe(`${created.url}/?room=${created.roomCode}&role=host`);

    const host = await TestPlayer.join(proxy.url, { roomCode: created.roomCode, token: created.hostToken });
    const ann = await TestPlayer.join(proxy.url, { roomCode: created.roomCode, name: 'Ann' });
    expect(await ann.emit('room:chat', { text: 'hello' })).toMatchObject({ ok: true });
    ann.close();
    const back = await TestPlayer.join(proxy.url, { roomCode: created.roomCode, token: ann.sessionToken });
    const secrets = [created.hostToken, host.sessionToken, ann.sessionToken, back.sessionToken];
    host.close();
    back.close();
    await new Promise((r) => setTimeout(r, 200)); // the last log lines

    const page = await httpRequest(`${proxy.url}/?room=${created.roomCode}&role=host`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(proxy.accessLog()).toContain(`/r/${created.roomCode}?role=host`);
    for (const secret of secrets) {
      expect(proxy.accessLog()).not.toContain(secret);
      expect(server.proc.output).not.toContain(secret);
    }
    expect(await everythingInRedis()).not.toContain(created.hostToken);
  });

  it('old links with ?token= still work during the deprecation window, the token moved to the fragment', async () => {
    const created = (await create(randomUUID())).body;
    const old = await httpRequest(`${server.url}/r/${created.roomCode}?role=host&token=${created.hostToken}`);
    expect(old.status).toBe(302);
    expect(old.headers.deprecation).toBe('true');
    expect(old.headers.location).toBe(
      `${created.url}/?room=${created.roomCode}&role=host#token=${created.hostToken}`,
    );
  });
});

describe('room creation without a key', () => {
  it('is off by default wherever a Rooms API key exists', async () => {
    const keyed = await ServerProcess.start('closed', { OPEN_ROOM_CREATION: '', LOG_LEVEL: 'warn' });
    const open = await ServerProcess.start('open', {
      OPEN_ROOM_CREATION: '',
      API_KEYS: '',
      LOG_LEVEL: 'warn',
    });
    try {
      const post = (url: string) =>
        httpRequest(`${url}/play/rooms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ gameType: 'rps', hostName: 'Pat' }),
        });
      const refused = await post(keyed.url);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      expect((await httpRequest(`${keyed.url}/play/games`)).body.openRoomCreation).toBe(false);
      expect((await post(open.url)).status).toBe(201);
    } finally {
      await Promise.all([keyed.stop(), open.stop()]);
    }
  }, 60_000);
});
