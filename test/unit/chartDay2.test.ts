import { beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocationRequest } from '../../operator/src/reconcile/allocationRequest.js';
import { ensureHelm } from '../cluster/binaries.js';
import { CHART, renderChart, type KubeObject } from '../cluster/chart.js';

// Day 2 of the chart, checked where it is decided: at render time (`helm template` with the helm the
// cluster tests use). What a `helm upgrade` does to a live fleet on real Agones is the cluster
// layer's job; these are the promises the rendered objects and the code they drive must keep.

let helm: string;
beforeAll(() => {
  helm = ensureHelm();
});

const scenario = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);
const render = (
  valuesFiles: string[] = [scenario('agones')],
  set: Record<string, string> = {},
  chart?: string,
): KubeObject[] => {
  return renderChart(helm, { namespace: 'gb', valuesFiles, set, ...(chart ? { chart } : {}) }).objects;
};
const ofKind = (list: KubeObject[], kind: string) => list.filter((o) => o.kind === kind);
const named = (list: KubeObject[], kind: string, nameEnd: string) => {
  const found = list.find((o) => o.kind === kind && o.metadata.name.endsWith(nameEnd));
  if (!found) throw new Error(`no ${kind} *${nameEnd}`);
  return found;
};
const podOf = (o: KubeObject) => o.spec.template.spec.template?.spec ?? o.spec.template.spec;
const env = (container: any): Record<string, string> =>
  Object.fromEntries(
    (container.env as any[]).map((e) => [e.name, 'value' in e ? e.value : JSON.stringify(e.valueFrom)]),
  );

/** Kubernetes label-selector semantics (matchLabels and matchExpressions), for the allocation selectors. */
function selects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  },
  labels: Record<string, string>,
): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values!.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && e.values!.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

describe('helm upgrade rolls the fleet to the end', () => {
  it("marks old Allocated servers so the operator's selectors skip them, and new ones take rooms", () => {
    const fleet = named(render(), 'Fleet', '-ddf');
    const request = allocationRequest('ddf', 'K7QXM2', {
      gameTypeLabel: 'gamebuddies.io/game-type',
      roomsList: 'rooms',
      strategy: 'least-loaded',
    });
    // A GameServer of the current template: both selectors (Allocated with room, then Ready) pick it.
    const fresh = { ...fleet.spec.template.metadata.labels };
    expect(request.spec.selectors.every((s) => selects(s, fresh))).toBe(true);
    // The same server once Agones' allocationOverflow (old GameServerSet during a rollout) labels it.
    const overflow = { ...fresh, ...fleet.spec.allocationOverflow.labels };
    expect(request.spec.selectors.some((s) => selects(s, overflow))).toBe(false);
    // A drain by hand is the same label: `kubectl label gs <name> gamebuddies.io/accepting=false`.
    expect(fleet.spec.allocationOverflow.labels).toEqual({ 'gamebuddies.io/accepting': 'false' });
    // The game server leaves once empty, or after DRAIN_TIMEOUT_MS at most (the documented bound).
    expect(env(podOf(fleet).containers[0]).DRAIN_TIMEOUT_MS).toBe('1800000');
    expect(
      env(
        podOf(named(render(undefined, { 'gameServers.drainTimeoutSeconds': '600' }), 'Fleet', '-ddf'))
          .containers[0],
      ).DRAIN_TIMEOUT_MS,
    ).toBe('600000');
  });

  it('lets kubectl drain and the cluster autoscaler evict game servers, unless told otherwise', () => {
    expect(named(render(), 'Fleet', '-ddf').spec.template.spec.eviction).toEqual({ safe: 'Always' });
    const pinned = render(undefined, { 'gameServers.fleet.eviction': 'OnUpgrade' });
    expect(named(pinned, 'Fleet', '-ddf').spec.template.spec.eviction).toEqual({ safe: 'OnUpgrade' });
    expect(() => render(undefined, { 'gameServers.fleet.eviction': 'Sometimes' })).toThrow(/eviction/);
  });

  it('refuses a grace period shorter than the game server needs to shut down', () => {
    for (const values of [scenario('agones'), scenario('deployment')]) {
      expect(() =>
        render([values], {
          'gameServers.terminationGracePeriodSeconds': '20',
          'gameServers.shutdownTimeoutMs': '10000',
        }),
      ).toThrow(
        /terminationGracePeriodSeconds 20 is too short for gameServers\.shutdownTimeoutMs 10000.*at least 25/,
      );
      // Exactly enough renders, and the pods get both numbers.
      const list = render([values], {
        'gameServers.terminationGracePeriodSeconds': '65',
        'gameServers.shutdownTimeoutMs': '30000',
      });
      const workload = list.find(
        (o) => o.kind === 'Fleet' || (o.kind === 'Deployment' && o.metadata.name.endsWith('-gameserver')),
      )!;
      expect(podOf(workload).terminationGracePeriodSeconds).toBe(65);
      expect(env(podOf(workload).containers[0]).SHUTDOWN_TIMEOUT_MS).toBe('30000');
    }
  });
});

describe('secrets the chart makes up', () => {
  const secrets = (list: KubeObject[]) =>
    Object.fromEntries(
      ofKind(list, 'Secret').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.stringData]),
    );

  it('are the same on every render with secretSeed (helm template, GitOps), and differ per seed', () => {
    const seeded = { secretSeed: 'a-long-random-seed-from-the-secret-store' };
    const first = render([scenario('production')], seeded);
    const second = render([scenario('production')], seeded);
    expect(secrets(second)).toEqual(secrets(first));
    const password = secrets(first)['gb/gb-gamebuddies-redis']!.password;
    expect(password).toMatch(/^[a-f0-9]{32}$/);
    // The copy for the game servers' namespace holds the same password.
    expect(secrets(first)['gamebuddies-games/gb-gamebuddies-redis']!.password).toBe(password);
    const other = render([scenario('production')], { secretSeed: 'another-seed-0123456789' });
    expect(secrets(other)['gb/gb-gamebuddies-redis']!.password).not.toBe(password);
    // The token encryption key derived the same way is 32 bytes, as TOKEN_ENCRYPTION_KEY requires.
    const agones = render([scenario('agones')], seeded);
    const key = secrets(agones)['gb/gb-gamebuddies-api']!['token-encryption-key'];
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(secrets(render([scenario('agones')], seeded))['gb/gb-gamebuddies-api']).toEqual(
      secrets(agones)['gb/gb-gamebuddies-api'],
    );
    // Pods do not roll on a re-render that changed nothing.
    const annotations = (list: KubeObject[]) =>
      list
        .filter((o) => ['Deployment', 'StatefulSet', 'Fleet'].includes(o.kind))
        .map((o) => (o.spec.template.spec.template ?? o.spec.template).metadata.annotations);
    expect(annotations(render([scenario('production')], seeded))).toEqual(annotations(first));
  });

  it('roll the pods that use them when they change, and only those', () => {
    const base = { secretSeed: 'a-long-random-seed-from-the-secret-store' };
    const checksum = (list: KubeObject[], kind: string, nameEnd: string) => {
      const o = named(list, kind, nameEnd);
      return (o.spec.template.spec.template ?? o.spec.template).metadata.annotations['checksum/secrets'];
    };
    const before = render([scenario('agones')], base);
    const rotated = render([scenario('agones')], {
      ...base,
      'redis.auth.password': 'a-new-password-0123456789',
    });
    for (const [kind, name] of [
      ['Deployment', '-operator'],
      ['Fleet', '-ddf'],
      ['StatefulSet', '-redis'],
    ] as const)
      expect({ kind, changed: checksum(rotated, kind, name) !== checksum(before, kind, name) }).toEqual({
        kind,
        changed: true,
      });
    // A new API key restarts the operator (it serves the Rooms API), not the game servers.
    const keys = render([scenario('agones')], {
      ...base,
      'roomsApi.apiKeys[0]': 'another-key-0123456789abcdef',
    });
    expect(checksum(keys, 'Deployment', '-operator')).not.toBe(checksum(before, 'Deployment', '-operator'));
    expect(checksum(keys, 'Fleet', '-ddf')).toBe(checksum(before, 'Fleet', '-ddf'));
  });
});
