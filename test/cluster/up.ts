/**
 * npm run cluster:up — starts the test control plane in the background and writes
 * .cache/cluster/current.json (server, admin kubeconfig, pids). npm run cluster:down stops it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CURRENT_STATE, startControlPlane, stateFor, type ClusterState } from './controlPlane.js';
import { stopCluster } from './down.js';

if (existsSync(CURRENT_STATE)) {
  const previous = JSON.parse(readFileSync(CURRENT_STATE, 'utf8')) as ClusterState;
  console.log(`[cluster] stopping the control plane left running at ${previous.server}`);
  stopCluster(previous);
}
const started = Date.now();
const plane = await startControlPlane({ detached: true });
writeFileSync(CURRENT_STATE, JSON.stringify(stateFor(plane), null, 2));
console.log(`[cluster] up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${plane.server}`);
console.log(`[cluster] export KUBECONFIG=${plane.kubeconfigPath}`);
process.exit(0);
