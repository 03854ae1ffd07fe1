import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { startLocalFleet } from './fleet/fleetServer.js';
import { createLogger, redisConfigured, type Logger } from '@gamebuddies/rooms';
import { startGameServer } from './server.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function readServers(): number | undefined {
  try {
    const { values } = parseArgs({ options: { servers: { type: 'string' } }, strict: true });
    if (values.servers === undefined) return undefined;
    const servers = Number(values.servers);
    if (!Number.isInteger(servers) || servers < 1 || servers > 64) throw new Error('--servers must be 1..64');
    return servers;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm start -- [--servers N]`);
    process.exit(2);
  }
}

/** SIGTERM/SIGINT: a clean shutdown; a second signal exits at once. */
function onSignals(log: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'received signal');
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * A member of a local fleet stops when its fleet is gone (even killed with -9), so a crashed fleet
 * leaves no orphan game servers behind.
 */
function followFleetParent(shutdown: () => void): void {
  const parent = Number(process.env.GAMEBUDDIES_FLEET_PARENT);
  if (!parent) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      shutdown();
    }
  }, 1000).unref();
}

const servers = readServers();
const config = readConfig();
const fleetName = process.env.SERVER_ID ?? 'local';
const log = createLogger(config.logLevel, { serverId: servers === undefined ? config.serverId : fleetName });

try {
  if (servers === undefined) {
    const server = await startGameServer(config, { logger: log });
    log.info(
      {
        url: server.listenUrl,
        publicUrl: server.publicUrl,
        store: server.store.kind,
        maxRooms: config.maxRooms,
        roomsApi: config.apiKeys.length > 0 ? 'enabled' : 'disabled (set API_KEYS)',
        openRoomCreation: config.openRoomCreation,
      },
      'game server listening',
    );
    if (process.stdout.isTTY) {
      console.log(
        `\n  GameBuddies Rooms is running. Open ${server.publicUrl} in a browser to create or join a room.\n`,
      );
    }
    onSignals(log, config.shutdownTimeoutMs * 2 + 5000, () => server.shutdown());
    followFleetParent(() => process.kill(process.pid, 'SIGTERM'));
  } else {
    const fleet = await startLocalFleet(config, servers, fleetName, log);
    log.info(
      {
        url: fleet.listenUrl,
        members: fleet.fleet.members.map((m) => ({ id: m.id, url: m.url })),
        store: redisConfigured(config)
          ? config.redisClusterNodes.length
            ? 'redis cluster'
            : 'redis'
          : 'memory (per server)',
      },
      'local fleet listening',
    );
    if (process.stdout.isTTY) {
      console.log(
        `\n  GameBuddies Rooms: ${servers} game servers behind ${fleet.publicUrl}. Open it in a browser to create or join a room.\n`,
      );
    }
    onSignals(log, config.shutdownTimeoutMs * 2 + 25_000, () => fleet.shutdown());
  }
} catch (error) {
  log.fatal({ err: error }, 'could not start');
  process.exit(1);
}
