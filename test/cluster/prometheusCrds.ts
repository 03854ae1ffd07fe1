import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Prometheus Operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule), for checking the
 * chart's monitoring objects against their real schemas. They ship in the operator's Go module, so
 * they come through the Go module proxy into the module cache (nothing of theirs is committed).
 */
export const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0';
const MODULE = 'github.com/prometheus-operator/prometheus-operator';
const CRDS = ['servicemonitors', 'podmonitors', 'prometheusrules'];

export function prometheusOperatorCrdFiles(): string[] {
  const out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${PROMETHEUS_OPERATOR_VERSION}`], {
    // Outside any module, so the project's Go modules are not touched.
    cwd: '/',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
  const { Dir, Error: error } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!Dir) throw new Error(`could not download ${MODULE}@${PROMETHEUS_OPERATOR_VERSION}: ${error}`);
  const files = CRDS.map((name) =>
    join(Dir, 'example/prometheus-operator-crd', `monitoring.coreos.com_${name}.yaml`),
  );
  for (const file of files) if (!existsSync(file)) throw new Error(`${file} is not in the module`);
  return files;
}
