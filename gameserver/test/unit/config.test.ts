import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('configuration from the environment', () => {
  it('has defaults that make a working laptop server', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      serverId: 'server-3000',
      publicUrl: undefined,
      maxRooms: 100,
      redisUrl: undefined,
      apiKeys: [],
      reconnectGraceMs: 120_000,
      roomTtlSeconds: 7200,
    });
  });

  it('has a heartbeat fit for a game, configurable within sane bounds', () => {
    expect(loadConfig({}).heartbeat).toEqual({ pingIntervalMs: 4000, pingTimeoutMs: 4000 });
    expect(loadConfig({ PING_INTERVAL_MS: '2500', PING_TIMEOUT_MS: '3000' }).heartbeat).toEqual({
      pingIntervalMs: 2500,
      pingTimeoutMs: 3000,
    });
    expect(() => loadConfig({ PING_TIMEOUT_MS: '50' })).toThrow(/PING_TIMEOUT_MS="50"/);
  });

  it('reads the seed names and lists', () => {
    const config = loadConfig({
      PORT: '3001',
      SERVER_ID: 'ddf-1',
      PUBLIC_URL: 'https://ddf-1.example.com/',
      MAX_ROOMS: '50',
      REDIS_URL: 'redis://:secret@redis:6379/0',
      API_KEYS: 'first-key-0123456789, second-key-0123456789:read ,',
      TOKEN_ENCRYPTION_KEY: KEY,
    });
    expect(config).toMatchObject({
      port: 3001,
      serverId: 'ddf-1',
      publicUrl: 'https://ddf-1.example.com',
      maxRooms: 50,
      redisUrl: 'redis://:secret@redis:6379/0',
    });
    expect(config.apiKeys.map((k) => k.scope)).toEqual(['admin', 'read']);
    expect(JSON.stringify(config)).not.toContain('first-key-0123456789');
    expect(JSON.stringify(config)).not.toContain(KEY);
  });

  it('takes a Redis Cluster as REDIS_CLUSTER_NODES or a redis+cluster:// URL, and refuses two Redis at once', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000, r2:7001' })).toMatchObject({
      redisUrl: undefined,
      redisClusterNodes: ['r1:7000', 'r2:7001'],
    });
    expect(loadConfig({ REDIS_URL: 'redis+cluster://:s%40cret@r1:7000,r2:7001' })).toMatchObject({
      redisUrl: undefined,
      redisClusterNodes: ['r1:7000', 'r2:7001'],
      redisPassword: 's@cret',
    });
    expect(loadConfig({ REDIS_URL: 'redis://r:6379' }).redisClusterNodes).toEqual([]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'r1' })).toThrow(/REDIS_CLUSTER_NODES="r1": host:port/);
    expect(() => loadConfig({ REDIS_URL: 'redis+cluster://r1' })).toThrow(/REDIS_URL=\(hidden\)/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r1:7000' })).toThrow(
      /REDIS_URL and REDIS_CLUSTER_NODES: set one of them/,
    );
  });

  it('reads TRUST_PROXY as Express does: none, a hop count, or proxy addresses; never plain true', () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toEqual({ kind: 'hops', hops: 1 });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual({
      kind: 'addresses',
      addresses: ['10.0.0.0/8', 'loopback'],
    });
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY.*number of proxies/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
  });

  it('opens room creation to the page only where no Rooms API key exists', () => {
    expect(loadConfig({}).openRoomCreation).toBe(true);
    expect(loadConfig({ API_KEYS: 'first-key-0123456789' }).openRoomCreation).toBe(false);
    expect(
      loadConfig({ API_KEYS: 'first-key-0123456789', OPEN_ROOM_CREATION: 'true' }).openRoomCreation,
    ).toBe(true);
  });

  it('needs TOKEN_ENCRYPTION_KEY with API keys and Redis, and never prints it', () => {
    const env = { REDIS_URL: 'redis://redis:6379', API_KEYS: 'first-key-0123456789' };
    expect(() => loadConfig(env)).toThrow(/TOKEN_ENCRYPTION_KEY: required/);
    expect(loadConfig({ ...env, TOKEN_ENCRYPTION_KEY: KEY }).tokenSealer).toBeDefined();
    expect(loadConfig({ REDIS_URL: 'redis://redis:6379' }).tokenSealer).toBeUndefined();
    const short = 'c2hvcnQta2V5';
    let message = '';
    try {
      loadConfig({ ...env, TOKEN_ENCRYPTION_KEY: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/TOKEN_ENCRYPTION_KEY=\(hidden\): entry 1 is not 32 bytes/);
    expect(message).not.toContain(short);
  });

  it('names every bad variable and never prints secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MAX_ROOMS: '0',
        PUBLIC_URL: 'ftp://x',
        REDIS_URL: 'http://:hunter2@x',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'MAX_ROOMS', 'PUBLIC_URL', 'REDIS_URL', 'LOG_LEVEL'])
      expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
  });

  it('refuses weak API keys and half a webhook configuration', () => {
    expect(() => loadConfig({ API_KEYS: 'short' })).toThrow(/API_KEYS.*16 characters/);
    expect(() => loadConfig({ WEBHOOK_URL: 'https://gb.example.com/hooks' })).toThrow(/WEBHOOK_SECRET/);
  });
});
