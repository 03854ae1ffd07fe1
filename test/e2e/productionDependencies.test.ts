import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/processes.js';

const run = promisify(execFile);

/** Every installed package name under node_modules (scoped ones as @scope/name). */
function installed(dir: string): Set<string> {
  const names = new Set<string>();
  const root = join(dir, 'node_modules');
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@'))
      for (const inner of readdirSync(join(root, entry))) names.add(`${entry}/${inner}`);
    else names.add(entry);
  }
  return names;
}

/**
 * What an image of one workspace gets: `npm ci --omit=dev --workspace <name>` on the lockfile, as the
 * Dockerfile runs it. From the npm cache the main install filled, so no registry is needed.
 */
async function productionInstall(workspace: string): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), `gb-prod-${workspace}-`));
  try {
    cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
    cpSync(join(REPO_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    const workspaces = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    for (const ws of workspaces) cpSync(join(REPO_ROOT, ws, 'package.json'), join(dir, ws, 'package.json'));
    await run(
      'npm',
      [
        'ci',
        '--omit=dev',
        '--workspace',
        workspace,
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      { cwd: dir, timeout: 120_000 },
    );
    expect(existsSync(join(dir, 'node_modules'))).toBe(true);
    return installed(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TRANSPORT = ['socket.io', '@socket.io/redis-adapter', '@google-cloud/agones-sdk', '@grpc/grpc-js'];

describe('production dependencies of each image', () => {
  it('the operator image has the Kubernetes client and no Socket.IO, no Agones SDK', async () => {
    const packages = await productionInstall('operator');
    expect(packages).toContain('@kubernetes/client-node');
    expect(packages).toContain('@gamebuddies/rooms');
    expect(packages).toContain('@gamebuddies/games');
    for (const name of TRANSPORT) expect(packages).not.toContain(name);
    expect(packages).not.toContain('@gamebuddies/gameserver');
  }, 180_000);

  it('the game server image has Socket.IO and the Agones SDK, and no Kubernetes client', async () => {
    const packages = await productionInstall('gameserver');
    expect(packages).toContain('socket.io');
    expect(packages).toContain('@google-cloud/agones-sdk');
    expect(packages).not.toContain('@kubernetes/client-node');
    expect(packages).not.toContain('@gamebuddies/operator');
  }, 180_000);
});
