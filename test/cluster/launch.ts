import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Processes that die with this one, unless started detached (cluster:up). */
const attached = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of attached) child.kill('SIGKILL');
});

export interface LaunchOptions {
  detached?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

export function launch(
  command: string,
  args: string[],
  logFile: string,
  options: LaunchOptions | boolean = {},
): ChildProcess {
  const { detached = false, env, cwd } = typeof options === 'boolean' ? { detached: options } : options;
  // Output goes to a file: tests stay readable, and the log is there when something fails.
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    detached,
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
  });
  closeSync(fd);
  if (detached) child.unref();
  else {
    attached.add(child);
    child.once('exit', () => attached.delete(child));
  }
  return child;
}

/** Rejects when the process exits, with the end of its log. */
export function exited(child: ChildProcess, name: string, logFile: string): Promise<never> {
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}); see ${logFile}:\n${tail(logFile)}`)),
    ),
  );
  failed.catch(() => undefined);
  return failed;
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
