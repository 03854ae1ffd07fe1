import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { runGo } from '../goBuild.js';
import { keyedCacheDir, REPO } from '../paths.js';

export const AGONES_VERSION = 'v1.60.0';
const MODULE = 'agones.dev/agones';
const PROGRAMS = ['controller', 'extensions', 'sdk-server'] as const;

export interface AgonesBinaries {
  controller: string;
  extensions: string;
  sdkServer: string;
  /** Agones' own rendered install (CRDs, RBAC, webhooks, APIService), copied from the source. */
  installYaml: string;
}

/**
 * Where Agones' source is: AGONES_SOURCE_DIR (relative to the repository; `.ci/run` points it at the
 * vendored copy in ../shared/agones/v1.60.0), else the module agones.dev/agones@v1.60.0 from the Go
 * module proxy, which serves the same release.
 */
function agonesSource(log: (line: string) => void): { dir: string; vendored: boolean } {
  const configured = process.env.AGONES_SOURCE_DIR;
  if (configured) {
    const dir = isAbsolute(configured) ? configured : resolve(REPO, configured);
    if (!existsSync(join(dir, 'go.mod')))
      throw new Error(`AGONES_SOURCE_DIR=${configured}: no go.mod in ${dir}`);
    const module = readFileSync(join(dir, 'go.mod'), 'utf8').split('\n')[0]?.trim();
    if (module !== `module ${MODULE}`) throw new Error(`AGONES_SOURCE_DIR=${configured} is not ${MODULE}`);
    return { dir, vendored: existsSync(join(dir, 'vendor/modules.txt')) };
  }
  log(`AGONES_SOURCE_DIR is not set: fetching ${MODULE}@${AGONES_VERSION} from the Go module proxy`);
  try {
    const download = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${AGONES_VERSION}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString(),
    ) as { Dir: string };
    return { dir: download.Dir, vendored: false };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(
      `could not get ${MODULE}@${AGONES_VERSION} (${stderr.trim()}); set AGONES_SOURCE_DIR to a checkout of Agones ${AGONES_VERSION}`,
    );
  }
}

/**
 * Agones' controller, extensions and sdk-server, built from its source and cached by release and Go
 * version: a second run starts in seconds (and needs no source). Nothing of Agones is copied into the repository; the cache holds the binaries and
 * Agones' install.yaml.
 */
export async function ensureAgones(log: (line: string) => void = console.log): Promise<AgonesBinaries> {
  // Keyed by the release (and the Go version): the vendored copy and the module are the same source.
  const dir = keyedCacheDir(`agones-${AGONES_VERSION}`, [AGONES_VERSION, '-trimpath']);
  const binaries: AgonesBinaries = {
    controller: join(dir, 'controller'),
    extensions: join(dir, 'extensions'),
    sdkServer: join(dir, 'sdk-server'),
    installYaml: join(dir, 'install.yaml'),
  };
  if (Object.values(binaries).every((file) => existsSync(file))) return binaries;

  const source = agonesSource(log);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `build-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await runGo(
      `Agones ${AGONES_VERSION} (${PROGRAMS.join(', ')}) from ${source.dir}`,
      source.dir,
      ['build', '-trimpath', '-o', `${tmp}/`, ...PROGRAMS.map((p) => `./cmd/${p}`)],
      log,
      { GOFLAGS: source.vendored ? '-mod=vendor' : '-mod=readonly' },
    );
    for (const program of PROGRAMS) renameSync(join(tmp, program), join(dir, program));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  copyFileSync(join(source.dir, 'install/yaml/install.yaml'), binaries.installYaml);
  return binaries;
}
