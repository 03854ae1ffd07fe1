import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Registry } from 'prom-client';

export type HealthStatus = 'healthy' | 'degraded' | 'draining';

export interface HealthDeps {
  status: () => HealthStatus;
  stats: () => Promise<{ rooms: number | null; players: number }>;
  registry: Registry;
  serverId: string;
  /** `/metrics` on its own port instead (METRICS_PORT): under Agones the game port is public. */
  separateMetrics?: boolean;
}

/** The Prometheus endpoint alone, for the metrics port. */
export function metricsHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  };
}

export function healthRouter(deps: HealthDeps): Router {
  const router = Router();

  /** The seed's health document; 503 while draining so load balancers stop sending players here. */
  router.get('/health', async (_req, res) => {
    const status = deps.status();
    const stats = await deps.stats();
    res.status(status === 'draining' ? 503 : 200).json({
      status,
      serverId: deps.serverId,
      uptime: process.uptime(),
      ...stats,
    });
  });

  /** Liveness: the process answers. */
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Readiness: this server should be given new players. */
  router.get('/readyz', (_req, res) => {
    const status = deps.status();
    res.status(status === 'healthy' ? 200 : 503).json({ status });
  });

  if (!deps.separateMetrics)
    router.get('/metrics', async (_req, res) => {
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    });

  return router;
}
