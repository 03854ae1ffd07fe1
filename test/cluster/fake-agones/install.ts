import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import {
  ApiregistrationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { ClusterPki } from '../certs.js';
import { launch } from '../controlPlane.js';
import { kubectl as runKubectl } from '../kubectl.js';
import { freePort } from '../../helpers/ports.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const AGONES_NAMESPACE = 'agones-system';

export interface FakeAgones {
  process: ChildProcess;
  port: number;
}

const ignoreConflict = (error: unknown) => {
  if ((error as { code?: number }).code !== 409) throw error;
};

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Applies CRDs from a YAML file with kubectl and waits until every one is Established. (Not through
 * client-node: its typed serializer drops `x-kubernetes-*` schema keys it has no field for.)
 */
export async function applyCrds(kubectl: string, kubeconfigPath: string, file: string): Promise<string[]> {
  const crds = (yaml.loadAll(readFileSync(file, 'utf8')).filter(Boolean) as V1CustomResourceDefinition[]).map(
    (crd) => crd.metadata!.name!,
  );
  const run = (args: string[]) => runKubectl(kubectl, kubeconfigPath, args);
  run(['apply', '--server-side', '--force-conflicts', '-f', file]);
  run(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((name) => `crd/${name}`)]);
  return crds;
}

/**
 * The FAKE Agones API (see fake-agones/README.md): its CRDs, and its allocator registered as the
 * APIService v1.allocation.agones.dev, reached through an ExternalName Service pointing at localhost.
 */
export async function installFakeAgones(
  kc: KubeConfig,
  kubectl: string,
  kubeconfigPath: string,
  pki: ClusterPki,
  stateDir: string,
  log: (line: string) => void,
  detached = false,
): Promise<FakeAgones> {
  await applyCrds(kubectl, kubeconfigPath, join(HERE, 'crds.yaml'));
  const port = await freePort();
  log(`starting the fake Agones allocator on 127.0.0.1:${port}`);
  const child = launch(
    process.execPath,
    [
      '--import',
      'tsx',
      join(HERE, 'allocator.ts'),
      `--port=${port}`,
      `--cert=${pki.allocatorCert}`,
      `--key=${pki.allocatorKey}`,
      `--client-ca=${pki.frontProxyCaCert}`,
      `--kubeconfig=${kubeconfigPath}`,
    ],
    join(stateDir, 'fake-agones-allocator.log'),
    detached,
  );

  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: AGONES_NAMESPACE } } }).catch(ignoreConflict);
  await core
    .createNamespacedService({
      namespace: AGONES_NAMESPACE,
      body: {
        metadata: { name: 'agones-allocator' },
        spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port }] },
      },
    })
    .catch(ignoreConflict);
  const registration = kc.makeApiClient(ApiregistrationV1Api);
  await registration
    .createAPIService({
      body: {
        metadata: { name: 'v1.allocation.agones.dev' },
        spec: {
          group: 'allocation.agones.dev',
          version: 'v1',
          service: { namespace: AGONES_NAMESPACE, name: 'agones-allocator', port },
          caBundle: readFileSync(pki.caCert).toString('base64'),
          groupPriorityMinimum: 1000,
          versionPriority: 15,
        },
      },
    })
    .catch(ignoreConflict);
  await waitFor('the allocation API to be available', async () => {
    const service = await registration.readAPIService({ name: 'v1.allocation.agones.dev' });
    return service.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
  });
  log('fake Agones allocation API available');
  return { process: child, port };
}
