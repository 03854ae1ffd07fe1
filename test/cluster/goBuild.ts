import { spawn } from 'node:child_process';

/** Runs `go <args>` in `cwd`, with progress lines while it runs. */
export async function runGo(
  name: string,
  cwd: string,
  args: string[],
  log: (line: string) => void,
  env: Record<string, string> = {},
): Promise<void> {
  const started = Date.now();
  log(`building ${name} (the first build takes several minutes on 2 cores; later ones use the cache)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', args, {
      cwd,
      env: { ...process.env, GOFLAGS: '-mod=readonly', ...env },
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
      else reject(new Error(`go ${args[0]} of ${name} failed with exit code ${code}`));
    });
  });
  log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
}
