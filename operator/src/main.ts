import { createLogger } from '@gamebuddies/rooms';
import { loadOperatorConfig, OperatorConfigError, type OperatorConfig } from './config.js';
import { startOperator } from './operator.js';

function readConfig(): OperatorConfig {
  try {
    return loadOperatorConfig();
  } catch (error) {
    if (error instanceof OperatorConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

const config = readConfig();
const log = createLogger(config.logLevel, { component: 'operator', identity: config.identity });

try {
  const operator = await startOperator(config, log);
  log.info(
    { api: operator.apiUrl, probes: operator.probeUrl, namespace: config.watchNamespace },
    'operator running',
  );
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(1);
    log.info({ signal }, 'received signal');
    setTimeout(() => process.exit(1), 30_000).unref();
    operator.shutdown().then(
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
  log.fatal({ err: error }, 'the operator could not start');
  process.exit(1);
}
