import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess } from '../helpers/processes.js';

// The load-test CLI end to end, small and short: it starts its own servers (and redis-server),
// players in worker processes, reports, and leaves nothing running. Figures are not judged here
// (that is what `npm run load-test` and `npm run bench` print); what the run counted is.

async function loadTest(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'load-test-'));
  const json = join(dir, 'result.json');
  const report = join(dir, 'report.html');
  const proc = RunningProcess.node([
    'loadtest/dist/main.js',
    ...args,
    '--duration',
    '3',
    '--ramp',
    '1',
    '--rate',
    '1',
    '--json',
    json,
    '--report',
    report,
    '--quiet',
  ]);
  const code = await proc.exited;
  expect({ code, output: code === 0 ? '' : proc.output }).toEqual({ code: 0, output: '' });
  return {
    result: JSON.parse(readFileSync(json, 'utf8')),
    html: readFileSync(report, 'utf8'),
    output: proc.output,
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run load-test', () => {
  it('runs players against one server and reports every phase', async () => {
    const { result, html, output } = await loadTest(['--players', '20', '--room-size', '5']);
    expect(result.counts).toMatchObject({ joined: 20, connectedAtEnd: 20, joinFailures: 0, disconnects: 0 });
    expect(result.counts.sent).toBeGreaterThan(20);
    expect(result.counts.acked).toBe(result.counts.sent);
    // Every acknowledged chat message reaches the five players of its room, exactly once.
    expect(result.counts.expectedDeliveries).toBe(result.counts.acked * 5);
    expect(result.counts).toMatchObject({ lost: 0, deliveries: result.counts.expectedDeliveries });
    expect(result.roomCreation.count).toBe(4);
    for (const figure of [result.join, result.ack, result.delivery]) expect(figure.p99).toBeGreaterThan(0);
    expect(result.servers).toHaveLength(1);
    expect(result.servers[0].connections).toBe(20);
    expect(result.servers[0].rssPerConnectionBytes).toBeGreaterThan(0);
    expect(result.generator.workers.length).toBeGreaterThan(0);
    expect(result.timeline.length).toBeGreaterThan(2);
    expect(html).toContain('<svg');
    expect(html).toContain('deliveries lost');
    expect(output).toMatch(/broadcast delivery/);
    expect(alive(result.servers[0].pid)).toBe(false);
  }, 90_000);

  it('spreads the players of each room over servers sharing Redis (sticky), and they hear each other', async () => {
    const { result } = await loadTest([
      '--players',
      '30',
      '--room-size',
      '6',
      '--servers',
      '2',
      '--redis',
      'true',
      '--sticky',
      'true',
    ]);
    expect(result.counts).toMatchObject({ joined: 30, joinFailures: 0 });
    expect(result.servers).toHaveLength(2);
    for (const server of result.servers) expect(server.connections).toBeGreaterThan(5);
    expect(result.counts.acked).toBe(result.counts.sent);
    // Across servers (the Redis adapter), still every acknowledged message to every player, once.
    expect(result.counts.expectedDeliveries).toBe(result.counts.acked * 6);
    expect(result.counts).toMatchObject({ lost: 0, deliveries: result.counts.expectedDeliveries });
    for (const server of result.servers) expect(alive(server.pid)).toBe(false);
  }, 120_000);
});
