import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

// Under Agones the game port is reachable from the internet (a node port): with METRICS_PORT set,
// `/metrics` (room counts, players, latencies) answers only on its own port, which the chart keeps
// behind a NetworkPolicy.

describe('METRICS_PORT', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ METRICS_PORT: '0' });
  });
  afterAll(() => server.stop());

  it('serves /metrics on its own port and not on the game port', async () => {
    expect((await server.api('/metrics')).status).toBe(404);
    const port = server.server.metricsPort!;
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('gamebuddies_rooms');
    // Nothing else is served there.
    expect((await fetch(`http://127.0.0.1:${port}/v1/rooms`)).status).toBe(404);
    // The game port still answers its health checks.
    expect((await server.api('/healthz')).status).toBe(200);
  });
});
