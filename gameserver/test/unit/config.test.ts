import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

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
