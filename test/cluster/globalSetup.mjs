// Jest global setup of the `cluster` layer: one control plane for the whole run. Jest loads global
// setup outside its module system, so TypeScript is loaded through tsx here.
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();

export default async function setup() {
  const { CURRENT_STATE, startControlPlane, stateFor } = await import('./controlPlane.ts');
  const started = Date.now();
  const plane = await startControlPlane();
  writeFileSync(CURRENT_STATE, JSON.stringify(stateFor(plane), null, 2));
  globalThis.__controlPlane = plane;
  console.log(`[cluster] control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
