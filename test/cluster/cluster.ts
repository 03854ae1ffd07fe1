import { readFileSync } from 'node:fs';
import {
  adminConfigFor,
  CURRENT_STATE,
  serviceAccountKubeconfig,
  type ClusterState,
} from './controlPlane.js';

/** The control plane the jest global setup (or `npm run cluster:up`) started. */
export function testCluster() {
  const state = JSON.parse(readFileSync(CURRENT_STATE, 'utf8')) as ClusterState;
  return {
    ...state,
    admin: () => adminConfigFor(state),
    serviceAccountKubeconfig: (namespace: string, name: string) =>
      serviceAccountKubeconfig(state, namespace, name),
  };
}
