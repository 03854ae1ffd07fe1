import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { kubectl as runKubectl } from './kubectl.js';

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

/** The project's GameRoom CRD, and its coordinates for client-node's CustomObjectsApi. */
export const GAMEROOM_CRD = fileURLToPath(
  new URL('../../crds/gamerooms.gamebuddies.io.yaml', import.meta.url),
);
export const GR = { group: 'gamebuddies.io', version: 'v1alpha1', plural: 'gamerooms' } as const;
/** The label the operator and the chart's Fleets select game servers by. */
export const LABEL = 'gamebuddies.io/game-type';

/** Installs the GameRoom CRD on the test cluster (idempotent: every suite may call it). */
export async function installGameRoomCrd(cluster: {
  kubectl: string;
  kubeconfigPath: string;
}): Promise<void> {
  await applyCrds(cluster.kubectl, cluster.kubeconfigPath, GAMEROOM_CRD);
}
