import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { ensureBinaries, KUBERNETES_VERSION, REPO, type ClusterBinaries } from './binaries.js';
import { generatePki, type ClusterPki } from './certs.js';
import { startAgones, type RunningAgones } from './agones/processes.js';
import { exited as started, launch, stopProcess } from './launch.js';
import { nodeAddress, NODE_COUNT, startNodes } from './nodes.js';
import { freePort } from '../helpers/ports.js';

export interface ControlPlaneOptions {
  /** Progress lines (building, starting, ready). */
  log?: (line: string) => void;
  /**
   * Install Agones v1.60.0 (its CRDs, RBAC, webhooks, allocation API, controller) with kwok nodes and
   * kube-scheduler. Default true.
   */
  agones?: boolean;
  /** Agones' allocation batch wait (ALLOCATION_BATCH_WAIT_TIME); its default is 500ms. */
  allocationBatchWait?: string;
  /** Keep the processes running after this process exits (`npm run cluster:up`). */
  detached?: boolean;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (client certificate in system:masters). */
  kubeconfigPath: string;
  stateDir: string;
  pki: ClusterPki;
  binaries: ClusterBinaries;
  /** Agones' extensions and controller, when installed. */
  agones: RunningAgones | undefined;
  /** A KubeConfig for the admin user. */
  adminConfig(): KubeConfig;
  /**
   * A kubeconfig for a ServiceAccount (created if missing), holding a TokenRequest token: run a
   * program with exactly the permissions RBAC gives that account.
   */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /** Pids of the processes behind it (for `cluster:down`). */
  pids(): number[];
  stop(): Promise<void>;
}

const STATE_ROOT = join(REPO, '.cache/cluster');

export { launch } from './launch.js';

/** GET over TLS with the admin client certificate; resolves with the status code and body. */
function adminGet(server: string, path: string, pki: ClusterPki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}${path}`,
      {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function waitReady(
  server: string,
  pki: ClusterPki,
  failed: Promise<never>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await Promise.race([adminGet(server, '/readyz', pki), failed]);
      if (res.status === 200) return;
      last = res.body;
    } catch (error) {
      if ((error as Error).message.includes('exited')) throw error;
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`kube-apiserver not ready after ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function writeKubeconfig(path: string, server: string, caCert: string, user: Record<string, string>): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority': caCert } }],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'user', namespace: 'default' } }],
    'current-context': 'test',
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver built from Go modules, with
 * generated certificates, RBAC, a service-account signing key and the aggregation layer; then (unless
 * `agones: false`) kube-scheduler, kwok nodes and Agones v1.60.0 (see README.md). No
 * kube-controller-manager runs: namespace deletion and garbage collection are not used by the tests,
 * and Agones deletes a GameServer's pod itself.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? ((line: string) => console.log(`[cluster] ${line}`));
  const binaries = await ensureBinaries(log);
  mkdirSync(STATE_ROOT, { recursive: true });
  const stateDir = mkdtempSync(join(STATE_ROOT, 'run-'));
  const pki = generatePki(stateDir);
  const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    // Agones, kwok and the scheduler first (they would log the API server's absence), then the rest.
    const [etcdAndApi, rest] = [children.slice(0, 2), children.slice(2)];
    await Promise.all(rest.map((child) => stopProcess(child)));
    await Promise.all(etcdAndApi.reverse().map((child) => stopProcess(child)));
  };

  try {
    log(`starting etcd on 127.0.0.1:${etcdClientPort}`);
    const etcdLog = join(stateDir, 'etcd.log');
    const etcd = launch(
      binaries.etcd,
      [
        `--data-dir=${join(stateDir, 'etcd')}`,
        `--listen-client-url=http://127.0.0.1:${etcdClientPort}`,
        `--listen-peer-url=http://127.0.0.1:${etcdPeerPort}`,
      ],
      etcdLog,
      options.detached,
    );
    children.push(etcd);
    const etcdFailed = started(etcd, 'etcd', etcdLog);

    log(`starting kube-apiserver ${KUBERNETES_VERSION} on ${server}`);
    const apiLog = join(stateDir, 'kube-apiserver.log');
    const apiserver = launch(
      binaries.kubeApiserver,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
        `--secure-port=${apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--cert-dir=${stateDir}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--allow-privileged=true',
        // The aggregation layer, for Agones' allocation API: the aggregator reaches the allocator
        // through an ExternalName Service (localhost), authenticating with the proxy client
        // certificate. (Endpoints may not hold loopback addresses, so endpoint routing cannot be used.)
        `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
        '--requestheader-allowed-names=aggregator',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.proxyClientCert}`,
        `--proxy-client-key-file=${pki.proxyClientKey}`,
        '--event-ttl=1h',
        '--v=1',
      ],
      apiLog,
      options.detached,
    );
    children.push(apiserver);
    const apiFailed = Promise.race([started(apiserver, 'kube-apiserver', apiLog), etcdFailed]);
    apiFailed.catch(() => undefined);
    await waitReady(server, pki, apiFailed);

    const kubeconfigPath = join(stateDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, server, pki.caCert, {
      'client-certificate': pki.adminCert,
      'client-key': pki.adminKey,
    });
    const adminConfig = () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    };
    log('kube-apiserver ready');

    let agones: RunningAgones | undefined;
    if (options.agones !== false) {
      const admin = adminConfig();
      children.push(
        ...(await startNodes({
          binaries,
          adminKubeconfig: kubeconfigPath,
          admin,
          stateDir,
          log,
          detached: options.detached,
        })),
      );
      const state = { server, stateDir, caCert: pki.caCert };
      agones = await startAgones({
        binaries: binaries.agones,
        kubectl: binaries.kubectl,
        adminKubeconfig: kubeconfigPath,
        admin,
        pki,
        stateDir,
        serviceAccountKubeconfig: (namespace, name) =>
          serviceAccountKubeconfig({ ...state, kubeconfigPath } as ClusterState, namespace, name),
        log,
        detached: options.detached,
        allocationBatchWait: options.allocationBatchWait,
      });
      children.push(...agones.processes);
    }

    const plane: ControlPlane = {
      server,
      kubeconfigPath,
      stateDir,
      pki,
      binaries,
      agones,
      adminConfig,
      serviceAccountKubeconfig: (namespace, name) =>
        serviceAccountKubeconfig(stateFor(plane), namespace, name),
      pids: () => children.map((c) => c.pid!).filter(Boolean),
      async stop() {
        await stopAll();
        if (!process.env.KEEP_CLUSTER_STATE) rmSync(stateDir, { recursive: true, force: true });
      },
    };
    return plane;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What `cluster:up` leaves in .cache/cluster/current.json, and what tests connect with. */
export interface ClusterState {
  server: string;
  kubeconfigPath: string;
  stateDir: string;
  caCert: string;
  kubectl: string;
  helm: string;
  /** Agones' sdk-server (the sidecar), run beside each live game server. */
  sdkServer: string;
  /** Addresses of the kwok nodes (GameServers get one of them). */
  nodeAddresses: string[];
  pids: number[];
}

export const CURRENT_STATE = join(STATE_ROOT, 'current.json');

export function stateFor(plane: ControlPlane): ClusterState {
  return {
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    stateDir: plane.stateDir,
    caCert: plane.pki.caCert,
    kubectl: plane.binaries.kubectl,
    helm: plane.binaries.helm,
    sdkServer: plane.binaries.agones.sdkServer,
    nodeAddresses: plane.agones ? Array.from({ length: NODE_COUNT }, (_, i) => nodeAddress(i)) : [],
    pids: plane.pids(),
  };
}

export function adminConfigFor(state: ClusterState): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  return kc;
}

/**
 * A kubeconfig for a ServiceAccount (created if missing) holding a TokenRequest token: run a program
 * with exactly the permissions RBAC gives that account.
 */
export async function serviceAccountKubeconfig(
  state: ClusterState,
  namespace: string,
  name: string,
): Promise<string> {
  const core = adminConfigFor(state).makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 * 6 } },
  });
  const path = join(state.stateDir, `sa-${namespace}-${name}.kubeconfig`);
  writeKubeconfig(path, state.server, state.caCert, { token: token.status!.token });
  return path;
}

/** Grants a ServiceAccount a ClusterRole in one namespace (or cluster-wide): for tests of RBAC. */
export async function bindRole(
  kc: KubeConfig,
  subject: { namespace: string; name: string },
  clusterRole: string,
  namespace?: string,
): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const metadata = { name: `${subject.name}-${clusterRole}` };
  const subjects = [{ kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace }];
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole };
  if (namespace) await rbac.createNamespacedRoleBinding({ namespace, body: { metadata, subjects, roleRef } });
  else await rbac.createClusterRoleBinding({ body: { metadata, subjects, roleRef } });
}
