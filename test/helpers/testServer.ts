import {
  loadConfig,
  startGameServer,
  type GameServer,
  type GameServerOptions,
} from '@gamebuddies/gameserver';
import type { CreatedRoom } from '@gamebuddies/protocol';
import { TEST_SERVER_DEFAULTS } from './testKeys.js';

export const TEST_API_KEY = 'test-key-0123456789abcdef';

/** A real game server on a random loopback port, configured through the same env variables as in production. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: GameServerOptions = {},
): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    API_KEYS: `${TEST_API_KEY},second-key-0123456789`,
    ...TEST_SERVER_DEFAULTS,
    ...env,
  });
  return new TestServer(await startGameServer(config, options));
}

export class TestServer {
  constructor(readonly server: GameServer) {}

  get url(): string {
    return this.server.listenUrl;
  }

  /** fetch against the server with the test API key (unless headers say otherwise). */
  async api(
    path: string,
    init: RequestInit & { json?: unknown } = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization') && !headers.has('x-api-key'))
      headers.set('authorization', `Bearer ${TEST_API_KEY}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(this.url + path, {
      ...init,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? safeJson(text) : null, headers: response.headers };
  }

  async createRoom(body: Record<string, unknown> = { gameType: 'rps' }): Promise<CreatedRoom> {
    const response = await this.api('/v1/rooms', { method: 'POST', json: body });
    if (response.status !== 201)
      throw new Error(`createRoom: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as CreatedRoom;
  }

  stop(): Promise<void> {
    return this.server.shutdown();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
