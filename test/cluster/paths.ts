import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export function cacheBase(): string {
  return (
    process.env.GAMEBUDDIES_CLUSTER_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gamebuddies-cluster')
  );
}

/** A cache directory for one more program, keyed by what it is built from. */
export function keyedCacheDir(name: string, inputs: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input);
  hash.update(execFileSync('go', ['version']).toString());
  return join(cacheBase(), 'bin', `${name}-${hash.digest('hex').slice(0, 16)}`);
}
