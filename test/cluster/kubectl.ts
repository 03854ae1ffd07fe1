import { execFileSync } from 'node:child_process';

/** Runs kubectl with the given kubeconfig; a failure throws with kubectl's message. */
export function kubectl(binary: string, kubeconfig: string, args: string[]): string {
  try {
    return execFileSync(binary, ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  } catch (error) {
    const e = error as { stderr?: Buffer };
    throw new Error(`kubectl ${args.join(' ')} failed:\n${e.stderr?.toString() ?? ''}`);
  }
}
