/** npm run cluster:down — stops the control plane started by cluster:up and removes its files. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CURRENT_STATE, type ClusterState } from './controlPlane.js';

export function stopCluster(state: ClusterState): void {
  for (const pid of state.pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(state.stateDir, { recursive: true, force: true });
  rmSync(CURRENT_STATE, { force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(CURRENT_STATE)) {
    console.log('[cluster] no control plane is running');
  } else {
    const state = JSON.parse(readFileSync(CURRENT_STATE, 'utf8')) as ClusterState;
    stopCluster(state);
    console.log(`[cluster] stopped ${state.server}`);
  }
}
