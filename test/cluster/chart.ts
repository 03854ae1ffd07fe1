import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { KUBERNETES_VERSION, REPO } from './binaries.js';

export const CHART = join(REPO, 'charts/gamebuddies');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: any;
}

/** Runs helm (the binary of the test control plane's tool set); a failure throws with helm's own message. */
export function helm(helmBinary: string, args: string[]): string {
  try {
    return execFileSync(helmBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(
      `helm ${args.join(' ')} failed:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`,
    );
  }
}

/** `helm template` of the chart, as the objects it renders (and the YAML text). */
export function renderChart(
  helmBinary: string,
  options: {
    release?: string;
    namespace: string;
    valuesFiles?: string[];
    set?: Record<string, string>;
    /** Another copy of the chart (a different version of it); CHART by default. */
    chart?: string;
  },
): { text: string; objects: KubeObject[] } {
  const args = [
    'template',
    options.release ?? 'gb',
    options.chart ?? CHART,
    '--namespace',
    options.namespace,
    '--kube-version',
    KUBERNETES_VERSION,
  ];
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  const text = helm(helmBinary, args);
  const objects = (yaml.loadAll(text) as (KubeObject | null)[]).filter((o): o is KubeObject => !!o);
  return { text, objects };
}

/** Writes objects to a temporary YAML file (for kubectl -f). */
export function writeObjects(objects: KubeObject[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gb-chart-')), 'objects.yaml');
  writeFileSync(file, objects.map((o) => yaml.dump(o, { noRefs: true })).join('---\n'));
  return file;
}
