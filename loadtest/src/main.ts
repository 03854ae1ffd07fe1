/**
 * `npm run load-test -- --players 500 --servers 1` (see --help): the seed's load test (Part 8) with
 * the seed's metrics (Part 9), against servers it starts and stops itself.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fmtBytes, fmtMs, fmtNum, fmtPct, latencyRow, table } from './format.js';
import { HELP, parseOptions, UsageError, type LoadTestConfig } from './options.js';
import { freePort, killAll, RedisClusterLauncher, RedisLauncher, REPO_ROOT } from './processes.js';
import { createRooms, gameLimits } from './rooms.js';
import { renderReport, type LoadTestReport } from './report.js';
import { runLoad, type PlannedRoom } from './run.js';
import { processTarget, startGameServers, type ServerTarget } from './servers.js';

let config: LoadTestConfig | null;
try {
  config = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\nRun with --help for the options.`);
  process.exit(2);
}
if (!config) {
  console.log(HELP);
  process.exit(0);
}
const options = config;
if (!existsSync(join(REPO_ROOT, 'gameserver/dist/main.js'))) {
  console.error('gameserver/dist/main.js is missing: run `npm run build` (npm run load-test does it).');
  process.exit(2);
}

// A hard deadline: whatever happens, everything is killed and the process exits.
const deadlineMs = (120 + options.rampSec + options.durationSec + 90 + options.players / 50) * 1000;
setTimeout(() => {
  console.error(
    `\nload test: hard deadline of ${Math.round(deadlineMs / 1000)} s reached; killing everything`,
  );
  killAll();
  process.exit(3);
}, deadlineMs).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nload test: ${signal}; stopping everything`);
    killAll();
    process.exit(130);
  });
}

const log = (line: string) => console.log(line);
const started = new Date();
const stoppers: Array<() => Promise<unknown>> = [];

/**
 * A sticky load balancer's routing, as a lookup: `/m/<i>/r/<code>` answers with server i, so each
 * player stays on its own server whatever server holds the room (Phase 3).
 */
async function stickyRouter(servers: ServerTarget[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const match = /^\/m\/(\d+)\/r\/([A-Za-z0-9]+)/.exec(req.url ?? '');
    const target = match ? servers[Number(match[1])] : undefined;
    if (!match || !target) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ roomCode: match[2], url: target.url, namespace: `/${options.game}` }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

async function main(): Promise<number> {
  const mode = options.servers === 1 ? 'one game-server process' : `the local fleet of ${options.servers}`;
  log(
    `load test: ${options.players} players in rooms of ${options.roomSize} (${options.game}), ${mode}` +
      `${options.redis === 'cluster' ? ' on a Redis Cluster' : options.redis ? ' on Redis' : ', rooms in memory'}${options.sticky ? ', sticky spread' : ''}` +
      `, ${options.rate} chat/s per player, ramp ${options.rampSec} s, steady ${options.durationSec} s, ${options.workers} worker(s)`,
  );
  const redis =
    options.redis === 'cluster'
      ? await RedisClusterLauncher.start()
      : options.redis
        ? await RedisLauncher.start()
        : undefined;
  if (redis) stoppers.unshift(() => redis.stop());
  const game = await startGameServers({ servers: options.servers, redisUrl: redis?.url, rate: options.rate });
  stoppers.unshift(() => game.stop());
  log(
    `servers: ${game.servers.map((s) => `${s.id} ${s.url} (pid ${s.pid})`).join(', ')}${redis ? `; redis ${redis.url}` : ''}`,
  );

  const plugin = await gameLimits(game.apiUrl, options.game);
  if (!('maxPlayers' in plugin))
    throw new UsageError(`--game: ${options.game} is not one of ${plugin.all.join(', ')}`);
  if (options.roomSize > plugin.maxPlayers)
    throw new UsageError(`--room-size: ${options.game} rooms hold at most ${plugin.maxPlayers} players`);

  const roomCount = Math.ceil(options.players / options.roomSize);
  const { rooms, creation } = await createRooms(game.apiUrl, game.apiKey, roomCount, {
    gameType: options.game,
    maxPlayers: Math.max(plugin.minPlayers, options.roomSize),
  });
  log(
    `rooms: ${rooms.length} created, p50 ${fmtMs(creation.percentile(50))}, p99 ${fmtMs(creation.percentile(99))}`,
  );

  const router = options.sticky ? await stickyRouter(game.servers) : undefined;
  if (router) stoppers.unshift(() => new Promise((resolve) => router.server.close(resolve)));
  const planned: PlannedRoom[] = rooms.map((room) => ({
    code: room.roomCode,
    hostToken: room.hostToken,
    urlFor: (seat) =>
      router
        ? `${router.url}/m/${seat % game.servers.length}`
        : options.assignment === 'direct'
          ? room.url
          : new URL(room.playerJoinUrl).origin,
  }));

  const result = await runLoad({
    target: 'gamebuddies',
    game: options.game,
    players: options.players,
    roomSize: options.roomSize,
    rooms: planned,
    rate: options.rate,
    durationSec: options.durationSec,
    rampSec: options.rampSec,
    workers: options.workers,
    servers: game.servers,
    others: [
      ...(game.front ? [game.front] : []),
      ...(redis instanceof RedisClusterLauncher
        ? redis.procs.map((p, i) => processTarget(`redis-server ${redis.ports[i]}`, p.pid))
        : redis
          ? [processTarget('redis-server', redis.proc.pid)]
          : []),
    ],
    onProgress: options.quiet
      ? undefined
      : (line) => (process.stdout.isTTY ? process.stdout.write(`\r${line}\x1b[K`) : log(line)),
  });
  if (process.stdout.isTTY && !options.quiet) process.stdout.write('\n');

  const report: LoadTestReport = {
    tool: 'gamebuddies-load-test',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run load-test -- ${process.argv.slice(2).join(' ')}`.trim(),
    options: { ...options },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      memoryBytes: totalmem(),
      loadAverage: loadavg(),
    },
    roomCreation: creation.summary(),
    ...result,
  };
  printSummary(report);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`JSON: ${options.json}`);
  }
  if (options.report) {
    mkdirSync(dirname(options.report), { recursive: true });
    writeFileSync(options.report, renderReport(report));
    log(`HTML report: ${options.report}`);
  }
  return 0;
}

function printSummary(r: LoadTestReport): void {
  const ackErrors =
    Object.entries(r.counts.ackErrors)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ') || 'none';
  log('');
  log(
    table([
      ['latency', 'count', 'p50', 'p95', 'p99', 'max'],
      latencyRow('room creation', r.roomCreation),
      latencyRow('player join', r.join),
      latencyRow('action ack', r.ack),
      latencyRow('broadcast delivery', r.delivery),
    ]),
  );
  log('');
  log(
    `players connected ${r.counts.connectedAtEnd}/${r.players} | actions ${fmtNum(r.throughput.actionsPerSec, 1)}/s` +
      ` | deliveries ${fmtNum(r.throughput.deliveriesPerSec)}/s (expected ${fmtNum(r.throughput.expectedDeliveriesPerSec)})` +
      ` | lost deliveries ${fmtNum(r.counts.lost)} of ${fmtNum(r.counts.expectedDeliveries)}` +
      ` | join failures ${r.counts.joinFailures} | disconnects ${r.counts.disconnects} | refused actions ${ackErrors}`,
  );
  log('');
  log(
    table([
      ['server', 'players', 'CPU', 'CPU peak', 'heap', 'RSS', 'heap/player', 'RSS/player', 'lag p99 max'],
      ...r.servers.map((s) => [
        s.id,
        fmtNum(s.connections),
        fmtPct(s.cpuPercent),
        fmtPct(s.cpuPercentPeak),
        fmtBytes(s.heapUsedBytes),
        fmtBytes(s.rssBytes),
        fmtBytes(s.heapPerConnectionBytes),
        fmtBytes(s.rssPerConnectionBytes),
        fmtMs(s.eventLoopLagP99MaxMs),
      ]),
      ...(r.servers.length > 1
        ? [
            [
              'all',
              fmtNum(r.totals.connections),
              fmtPct(r.totals.cpuPercent),
              '',
              '',
              '',
              fmtBytes(r.totals.heapPerConnectionBytes),
              fmtBytes(r.totals.rssPerConnectionBytes),
              '',
            ],
          ]
        : []),
    ]),
  );
  const others = [
    ...r.others.map((o) => `${o.id} ${fmtPct(o.cpuPercent)}`),
    ...r.generator.workers.map(
      (w, i) => `load worker ${i + 1} ${fmtPct(w.cpuPercent)} (peak ${fmtPct(w.cpuPercentPeak)})`,
    ),
  ];
  log(`\nCPU of the other processes (steady phase, % of one core): ${others.join(', ')}`);
  if (r.firstErrors.length) log(`first errors:\n  ${r.firstErrors.join('\n  ')}`);
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(
    `\nload test failed: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? error)}`,
  );
  code = error instanceof UsageError ? 2 : 1;
} finally {
  for (const stop of stoppers) await stop().catch(() => undefined);
  killAll();
}
process.exit(code);
