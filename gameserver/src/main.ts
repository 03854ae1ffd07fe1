import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger } from './logger.js';
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

const config = readConfig();
const log = createLogger(config.logLevel, { serverId: config.serverId });

try {
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

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'received signal');
    const deadline = setTimeout(
      () => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      },
      config.shutdownTimeoutMs * 2 + 5000,
    );
    deadline.unref();
    server.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  log.fatal({ err: error }, 'could not start the game server');
  process.exit(1);
}
