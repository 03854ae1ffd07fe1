import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The same event-loop measurement as the game server's metrics (prom-client, 20 ms resolution). */
const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();

/** `GET /stats` of the plain relays: what the game server's /metrics gives the benchmark. */
export function statsHandler(connections: () => number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== '/stats') {
      res.writeHead(404).end();
      return;
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const body = {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      lagP99Seconds: lag.percentile(99) / 1e9,
      connections: connections(),
    };
    lag.reset();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}
