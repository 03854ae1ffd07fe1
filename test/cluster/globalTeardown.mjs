import { rmSync } from 'node:fs';

export default async function teardown() {
  const plane = globalThis.__controlPlane;
  if (!plane) return;
  const { CURRENT_STATE } = await import('./controlPlane.ts');
  await plane.stop();
  rmSync(CURRENT_STATE, { force: true });
}
