import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { ApiregistrationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterPki } from '../certs.js';
import { exited, launch, waitFor } from '../launch.js';
import { freePort } from '../../helpers/ports.js';
import type { AgonesBinaries } from './build.js';
import { AGONES_NAMESPACE, installAgones } from './install.js';

/** Ports Agones gives GameServers (one range per node; each kwok node has its own loopback address). */
export const GAMESERVER_PORTS = { min: 27000, max: 27999 };

export interface AgonesOptions {
  binaries: AgonesBinaries;
  kubectl: string;
  adminKubeconfig: string;
  admin: KubeConfig;
  pki: ClusterPki;
  stateDir: string;
  /** A kubeconfig holding a token of the ServiceAccount (Agones' own RBAC decides what it may do). */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  log: (line: string) => void;
  detached?: boolean;
  /** Agones' allocationBatchWaitTime (default 500ms, as its chart). */
  allocationBatchWait?: string;
}

export interface RunningAgones {
  processes: ChildProcess[];
  extensionsPort: number;
}

/** TLS handshake and any HTTP answer from the extensions' webhook port. */
function answers(port: number, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca: caPem, timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Agones' extensions (webhooks, allocation API) and controller, run on this machine under the
 * ServiceAccount Agones' RBAC grants them (agones-controller), after installing Agones' manifests.
 */
export async function startAgones(options: AgonesOptions): Promise<RunningAgones> {
  const { binaries, pki, stateDir, log } = options;
  const processes: ChildProcess[] = [];
  const extensionsPort = await freePort();
  const extensionsHttpPort = await freePort();
  const caPem = readFileSync(pki.caCert, 'utf8');

  log('installing Agones v1.60.0 from its install.yaml (CRDs, RBAC, webhooks, APIService)');
  installAgones(options.kubectl, options.adminKubeconfig, binaries.installYaml, stateDir, {
    port: extensionsPort,
    caPem,
  });
  const agonesKubeconfig = await options.serviceAccountKubeconfig(AGONES_NAMESPACE, 'agones-controller');

  // extensions reads its serving certificate from the fixed directory /certs: a private mount
  // namespace binds this run's certificates there, leaving the machine's /certs (an empty mount
  // point) untouched.
  const certsDir = join(stateDir, 'agones-certs');
  mkdirSync(certsDir, { recursive: true });
  copyFileSync(pki.agonesCert, join(certsDir, 'server.crt'));
  copyFileSync(pki.agonesKey, join(certsDir, 'server.key'));
  if (!existsSync('/certs')) {
    try {
      mkdirSync('/certs');
    } catch (error) {
      throw new Error(
        `Agones' extensions reads its certificate from /certs, which does not exist and cannot be created (${(error as Error).message}): create an empty /certs directory`,
      );
    }
  }
  const env = {
    POD_NAMESPACE: AGONES_NAMESPACE,
    LOG_LEVEL: 'info',
    ALLOCATION_BATCH_WAIT_TIME: options.allocationBatchWait ?? '500ms',
    FEATURE_GATES: '',
  };
  log(`starting Agones extensions on 127.0.0.1:${extensionsPort} (webhooks, allocation API)`);
  const extensionsLog = join(stateDir, 'agones-extensions.log');
  const extensions = launch(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$0" /certs && exec "$@"',
      certsDir,
      binaries.extensions,
      `--kubeconfig=${agonesKubeconfig}`,
      `--webhook-port=${extensionsPort}`,
      `--http-port=${extensionsHttpPort}`,
      '--cert-file=/certs/server.crt',
      '--key-file=/certs/server.key',
    ],
    extensionsLog,
    {
      detached: options.detached,
      env: { ...env, POD_NAME: 'agones-extensions-0', CONTAINER_NAME: 'agones-extensions' },
    },
  );
  processes.push(extensions);
  const extensionsExited = exited(extensions, 'agones extensions', extensionsLog);
  await Promise.race([
    waitFor('Agones extensions to serve TLS', () => answers(extensionsPort, caPem), 60_000),
    extensionsExited,
  ]);

  log('starting the Agones controller');
  const controllerLog = join(stateDir, 'agones-controller.log');
  const controller = launch(
    binaries.controller,
    [
      `--kubeconfig=${agonesKubeconfig}`,
      `--min-port=${GAMESERVER_PORTS.min}`,
      `--max-port=${GAMESERVER_PORTS.max}`,
      // Never pulled: no kubelet runs containers here; the tests run sdk-server beside each live game server.
      '--sidecar-image=us-docker.pkg.dev/agones-images/release/agones-sdk:1.60.0',
    ],
    controllerLog,
    {
      detached: options.detached,
      env: { ...env, POD_NAME: 'agones-controller-0', CONTAINER_NAME: 'agones-controller' },
    },
  );
  processes.push(controller);
  exited(controller, 'agones controller', controllerLog);

  const registration = options.admin.makeApiClient(ApiregistrationV1Api);
  await Promise.race([
    waitFor('the allocation.agones.dev API to be Available', async () => {
      const service = await registration.readAPIService({ name: 'v1.allocation.agones.dev' });
      return service.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    }),
    extensionsExited,
  ]);
  log('Agones allocation API available');
  return { processes, extensionsPort };
}
