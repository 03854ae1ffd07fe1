/**
 * npm run cluster:build — builds (or finds in the cache) etcd, kube-apiserver, kube-scheduler, kwok,
 * Agones (controller, extensions, sdk-server), and unpacks kubectl and helm.
 */
import { execFileSync } from 'node:child_process';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, REPO } from './binaries.js';
import { PROMETHEUS_OPERATOR_VERSION, prometheusOperatorCrdFiles } from './prometheusCrds.js';

const started = Date.now();
const binaries = await ensureBinaries((line) => console.log(`[cluster] ${line}`));
console.log(`[cluster] binaries ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
const { agones, kwokStages, ...programs } = binaries;
for (const [name, path] of Object.entries({ ...programs, ...agones }))
  console.log(`  ${name.padEnd(14)} ${path}`);
console.log(`  kwok stages    ${kwokStages.length} files`);
// Fetched here too, so the test run itself needs no module download.
const crds = prometheusOperatorCrdFiles();
console.log(
  `[cluster] Prometheus Operator ${PROMETHEUS_OPERATOR_VERSION} CRDs: ${crds.length} files in the Go module cache`,
);

// The fake Tilt the Tiltfile test evaluates it with (go.starlark.net): built once to warm the caches.
execFileSync('go', ['build', '-o', devNull, '.'], {
  cwd: join(REPO, 'test/cluster/go/tiltfile'),
  stdio: 'inherit',
});
console.log('[cluster] Tiltfile checker (go.starlark.net) built');
