import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { kubectl } from '../kubectl.js';

export const AGONES_NAMESPACE = 'agones-system';
/** The Service that Agones' webhooks and APIService name; here an ExternalName for localhost. */
export const AGONES_SERVICE = 'agones-controller-service';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: any;
}

/** The objects of Agones' install.yaml, by kind. */
export function agonesManifests(installYaml: string): KubeObject[] {
  return (yaml.loadAll(readFileSync(installYaml, 'utf8')) as (KubeObject | null)[]).filter(
    (o): o is KubeObject => !!o?.kind,
  );
}

function write(stateDir: string, name: string, objects: KubeObject[]): string {
  const file = join(stateDir, name);
  writeFileSync(file, objects.map((o) => yaml.dump(o, { noRefs: true })).join('---\n'));
  return file;
}

/** What installAgones needs to know about the local extensions process. */
export interface ExtensionsEndpoint {
  /** Port of `extensions --webhook-port` on 127.0.0.1. */
  port: number;
  /** PEM of the CA that signed its serving certificate. */
  caPem: string;
}

/**
 * Installs Agones from its own install.yaml into the test control plane, as its chart would, except
 * where there is no cluster network: the webhooks call the local extensions process by URL, and the
 * APIService reaches it through an ExternalName Service for localhost. Its Deployments, Services,
 * PodDisruptionBudgets and example certificates are left out (the processes run on this machine).
 */
export function installAgones(
  kubectlBinary: string,
  kubeconfig: string,
  installYaml: string,
  stateDir: string,
  extensions: ExtensionsEndpoint,
): void {
  const run = (args: string[]) => kubectl(kubectlBinary, kubeconfig, args);
  const objects = agonesManifests(installYaml);
  const byKind = (...kinds: string[]) => objects.filter((o) => kinds.includes(o.kind));

  // Their schemas carry x-kubernetes-patch-merge-key/-strategy, which strict field validation (and
  // server-side apply) refuses: created with field validation Ignore, as `--validate=false` does.
  const crds = byKind('CustomResourceDefinition');
  run(['create', '--validate=false', '-f', write(stateDir, 'agones-crds.yaml', crds)]);
  run([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...crds.map((crd) => `crd/${crd.metadata.name}`),
  ]);

  run(['create', 'namespace', AGONES_NAMESPACE]);
  // The RoleBinding of the SDK account is per game-server namespace: see sdkAccess().
  const rbac = byKind('ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding').filter(
    (o) => !(o.kind === 'RoleBinding' && o.metadata.name === 'agones-sdk-access'),
  );
  run(['create', '-f', write(stateDir, 'agones-rbac.yaml', rbac)]);

  const caBundle = Buffer.from(extensions.caPem).toString('base64');
  const webhooks = byKind('MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration').map((config) => ({
    ...config,
    webhooks: (config.webhooks as { clientConfig: { service: { path: string } } }[]).map((hook) => ({
      ...hook,
      clientConfig: {
        url: `https://127.0.0.1:${extensions.port}${hook.clientConfig.service.path}`,
        caBundle,
      },
    })),
  }));
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: AGONES_SERVICE, namespace: AGONES_NAMESPACE },
    // Endpoints may not hold loopback addresses; the aggregator resolves an ExternalName instead.
    spec: {
      type: 'ExternalName',
      externalName: 'localhost',
      ports: [{ name: 'https', port: extensions.port }],
    },
  };
  const apiServices = byKind('APIService').map((api) => ({
    ...api,
    spec: { ...api.spec, caBundle, service: { ...api.spec.service, port: extensions.port } },
  }));
  run(['create', '-f', write(stateDir, 'agones-webhooks.yaml', [...webhooks, service, ...apiServices])]);
}

/** What Agones' chart creates in each game-server namespace: the sidecar's ServiceAccount and access. */
export function sdkAccess(namespace: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agones-sdk', namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'agones-sdk-access', namespace },
      subjects: [{ kind: 'ServiceAccount', name: 'agones-sdk', namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'agones-sdk' },
    },
  ];
}
