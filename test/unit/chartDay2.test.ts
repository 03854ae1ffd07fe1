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

const secretsOf = (list: KubeObject[]): Record<string, Record<string, string>> =>
  Object.fromEntries(
    ofKind(list, 'Secret').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.stringData]),
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
      strategy: 'pack',
    });
    // A GameServer of the current template: both selectors (Allocated with room, Ready) pick it.
    const fresh = { ...fleet.spec.template.metadata.labels };
    expect(request.spec.selectors.every((s) => selects(s, fresh))).toBe(true);
    // The same server once Agones' allocationOverflow (old GameServerSet during a rollout) labels it.
    const overflow = { ...fresh, ...fleet.spec.allocationOverflow.labels };
    expect(request.spec.selectors.some((s) => selects(s, overflow))).toBe(false);
    // A drain by hand is the same label: `kubectl label gs <name> gamebuddies.io/accepting=false`.
    expect(fleet.spec.allocationOverflow.labels).toEqual({ 'gamebuddies.io/accepting': 'false' });
    // A server of a Fleet made before the chart set the label (its GameServerSet never gets the
    // overflow setting: Agones copies it only into new sets) takes no rooms either.
    const { 'gamebuddies.io/accepting': _accepting, ...unlabelled } = fresh;
    expect(request.spec.selectors.some((s) => selects(s, unlabelled))).toBe(false);
    // The game server leaves once empty, or after DRAIN_TIMEOUT_MS at most (the documented bound).
    expect(env(podOf(fleet).containers[0]).DRAIN_TIMEOUT_MS).toBe('1800000');
    expect(
      env(
        podOf(named(render(undefined, { 'gameServers.drainTimeoutSeconds': '600' }), 'Fleet', '-ddf'))
          .containers[0],
      ).DRAIN_TIMEOUT_MS,
    ).toBe('600000');
  });

  it('rolls Ready servers at the configured pace, numbers as numbers and percentages as strings', () => {
    expect(named(render(), 'Fleet', '-ddf').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    const paced = render(undefined, {
      'gameServers.fleet.rollingUpdate.maxSurge': '2',
      'gameServers.fleet.rollingUpdate.maxUnavailable': '0',
    });
    // Agones reads "2" (a string) as a malformed percentage: an integer must stay one.
    expect(named(paced, 'Fleet', '-ddf').spec.strategy.rollingUpdate).toEqual({
      maxSurge: 2,
      maxUnavailable: 0,
    });
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

describe('Redis that survives its own chart', () => {
  const statefulSet = (list: KubeObject[]) => named(list, 'StatefulSet', '-redis');
  const config = (list: KubeObject[]) => named(list, 'ConfigMap', '-redis').data;

  it('restarts on a configuration change, not on a chart version bump', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'gb-chart-')), 'gamebuddies');
    cpSync(CHART, copy, { recursive: true });
    const chartYaml = join(copy, 'Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, 'version: 99.1.0'));
    const checksum = (list: KubeObject[]) =>
      statefulSet(list).spec.template.metadata.annotations['checksum/config'];
    const before = render([scenario('production')]);
    const bumped = render([scenario('production')], {}, copy);
    // The bump is visible (labels carry the chart version), the Redis pods do not roll for it.
    expect(named(bumped, 'ConfigMap', '-redis').metadata.labels!['helm.sh/chart']).toBe('gamebuddies-99.1.0');
    expect(checksum(bumped)).toBe(checksum(before));
    expect(checksum(render([scenario('production')], { 'redis.appendfsync': 'everysec' }))).not.toBe(
      checksum(before),
    );
  });

  it('refuses writes when full instead of being OOM-killed: maxmemory from the memory limit', () => {
    expect(config(render())['redis.conf']).toMatch(/^maxmemory 402653184$/m); // 75% of 512Mi
    expect(config(render())['redis.conf']).toMatch(/^maxmemory-policy noeviction$/m);
    expect(config(render(undefined, { 'redis.resources.limits.memory': '2Gi' }))['redis.conf']).toMatch(
      /^maxmemory 1610612736$/m,
    );
    expect(config(render(undefined, { 'redis.maxmemory': '300mb' }))['redis.conf']).toMatch(
      /^maxmemory 300mb$/m,
    );
    expect(() => render(undefined, { 'redis.resources.limits.memory': 'null' })).toThrow(
      /redis.resources.limits.memory \(or redis.maxmemory\) is required/,
    );
    expect(() => render(undefined, { 'redis.resources.limits.memory': '1.5Gi' })).toThrow(/whole units/);
  });

  it('puts a password on Sentinel, and every client sends it', () => {
    const list = render([scenario('production')]);
    const init = config(list)['init.sh'];
    expect(init).toMatch(/printf 'requirepass %s\\n' "\$\(quoted "\$REDIS_PASSWORD"\)" >> "\$sentinel_conf"/);
    // A restarted pod drops what the last start wrote (and Sentinel rewrote) before writing it again.
    expect(init).toContain('sed -i "/^requirepass /d; /^user default /d" "$sentinel_conf"');
    // Asking the other Sentinels who is master authenticates too.
    expect(init).toContain('export REDISCLI_AUTH="$REDIS_PASSWORD"');
    const sentinelContainer = podOf(statefulSet(list)).containers.find((c: any) => c.name === 'sentinel');
    expect(env(sentinelContainer).REDISCLI_AUTH).toContain('gb-gamebuddies-redis');
    for (const [kind, nameEnd] of [
      ['Deployment', '-operator'],
      ['Fleet', '-ddf'],
    ] as const) {
      const vars = env(podOf(named(list, kind, nameEnd)).containers[0]);
      expect({ kind, password: vars.REDIS_SENTINEL_PASSWORD }).toEqual({
        kind,
        password: vars.REDIS_PASSWORD,
      });
      expect(vars.REDIS_SENTINEL_PASSWORD).toContain('"key":"password"');
    }
    // Sentinels you run: their password goes into the chart's Secret, the clients read it there.
    const external = render([scenario('external-redis')], {
      'redis.external.url': '',
      'redis.external.sentinels[0]': 'sentinel-0.example.internal:26379',
      'redis.external.sentinelPassword': 'their-sentinel-password',
    });
    expect(secretsOf(external)['gb/gb-gamebuddies-redis']!['sentinel-password']).toBe(
      'their-sentinel-password',
    );
    expect(
      env(podOf(named(external, 'Deployment', '-operator')).containers[0]).REDIS_SENTINEL_PASSWORD,
    ).toContain('"key":"sentinel-password"');
  });

  it('points every Redis user at an external Redis Cluster, with the replica-ack setting', () => {
    const list = render([scenario('external-redis')], {
      'redis.external.url': '',
      'redis.external.clusterNodes[0]': 'valkey-0.example.internal:6379',
      'redis.external.clusterNodes[1]': 'valkey-1.example.internal:6379',
      'redis.external.ackReplicas': '1',
    });
    for (const [kind, nameEnd] of [
      ['Deployment', '-operator'],
      ['Fleet', '-ddf'],
    ] as const) {
      const vars = env(podOf(named(list, kind, nameEnd)).containers[0]);
      expect({ kind, nodes: vars.REDIS_CLUSTER_NODES, ack: vars.REDIS_ACK_REPLICAS }).toEqual({
        kind,
        nodes: 'valkey-0.example.internal:6379,valkey-1.example.internal:6379',
        ack: '1',
      });
      expect(vars.REDIS_URL).toBeUndefined();
    }
    // The cluster as one redis+cluster:// URL is accepted too.
    const asUrl = render([scenario('external-redis')], {
      'redis.external.url': 'redis+cluster://valkey-0.example.internal:6379',
    });
    expect(env(podOf(named(asUrl, 'Deployment', '-operator')).containers[0]).REDIS_URL).toBe(
      'redis+cluster://valkey-0.example.internal:6379',
    );
  });

  it('hands mastership over before a master pod stops (Sentinel mode only)', () => {
    const list = render([scenario('production')]);
    const redis = podOf(statefulSet(list)).containers.find((c: any) => c.name === 'redis');
    expect(redis.lifecycle.preStop.exec.command).toEqual(['sh', '/etc/redis-config/prestop.sh']);
    const script = config(list)['prestop.sh'];
    expect(script).toContain('sentinel failover "$MASTER_NAME"');
    // Waits for a replica to take over, within the pod's grace period.
    expect(Number(env(redis).PRESTOP_WAIT_SECONDS)).toBeLessThan(
      podOf(statefulSet(list)).terminationGracePeriodSeconds,
    );
    const standalone = podOf(statefulSet(render())).containers.find((c: any) => c.name === 'redis');
    expect(standalone.lifecycle).toBeUndefined();
  });
});

describe('placement and policies', () => {
  it('spreads the operator and Sentinel pods over zones and never two on one node', () => {
    const list = render([scenario('production')]);
    for (const [kind, nameEnd, component] of [
      ['Deployment', '-operator', 'operator'],
      ['StatefulSet', '-redis', 'redis'],
    ] as const) {
      const pod = podOf(named(list, kind, nameEnd));
      expect(pod.topologySpreadConstraints).toEqual([
        expect.objectContaining({
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: {
            matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': component }),
          },
        }),
      ]);
      expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        expect.objectContaining({ topologyKey: 'kubernetes.io/hostname' }),
      ]);
    }
    // Small clusters can ask for less.
    const soft = podOf(
      named(render(undefined, { 'operator.antiAffinity': 'preferred' }), 'Deployment', '-operator'),
    );
    expect(soft.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(soft.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  it('takes priority classes, and node selectors and tolerations for Redis', () => {
    const list = render([scenario('production')], {
      'operator.priorityClassName': 'gb-critical',
      'gameServers.priorityClassName': 'gb-games',
      'redis.priorityClassName': 'gb-critical',
      'redis.nodeSelector.pool': 'stateful',
      'redis.tolerations[0].key': 'dedicated',
      'redis.tolerations[0].operator': 'Exists',
    });
    expect(podOf(named(list, 'Deployment', '-operator')).priorityClassName).toBe('gb-critical');
    expect(podOf(named(list, 'Fleet', '-ddf')).priorityClassName).toBe('gb-games');
    const redis = podOf(named(list, 'StatefulSet', '-redis'));
    expect(redis.priorityClassName).toBe('gb-critical');
    expect(redis.nodeSelector).toEqual({ pool: 'stateful' });
    expect(redis.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    const deployment = render([scenario('deployment')], { 'gameServers.priorityClassName': 'gb-games' });
    expect(podOf(named(deployment, 'Deployment', '-gameserver')).priorityClassName).toBe('gb-games');
  });

  it('has no disruption budget that would block a node drain with one operator replica', () => {
    const budgets = (list: KubeObject[]) => ofKind(list, 'PodDisruptionBudget').map((p) => p.metadata.name);
    expect(budgets(render())).toContain('gb-gamebuddies-operator');
    expect(budgets(render(undefined, { 'operator.replicas': '1' }))).not.toContain('gb-gamebuddies-operator');
    // The dev values run one operator: tilt's cluster can still drain its node.
    expect(budgets(render([join(CHART, 'values-dev.yaml')]))).toEqual([]);
  });

  it('keeps /metrics off the public game port and lets only the scraper reach metrics ports', () => {
    const list = render([scenario('production')]);
    const fleet = named(list, 'Fleet', '-ddf');
    // Agones exposes the game port on the node: the metrics port is not an Agones port.
    expect(fleet.spec.template.spec.ports.map((p: any) => p.containerPort)).toEqual([3000]);
    expect(env(podOf(fleet).containers[0]).METRICS_PORT).toBe('9090');
    const [monitor] = ofKind(list, 'PodMonitor');
    expect(monitor!.spec.podMetricsEndpoints[0].portNumber).toBe(9090);
    const policies = Object.fromEntries(ofKind(list, 'NetworkPolicy').map((p) => [p.metadata.name, p]));
    const games = policies['gb-gamebuddies-gameserver']!;
    expect(games.metadata.namespace).toBe('gamebuddies-games');
    expect(games.spec.ingress).toEqual([
      { ports: [{ port: 3000 }] },
      { ports: [{ port: 9090 }], from: [{ namespaceSelector: {} }] },
    ]);
    expect(policies['gb-gamebuddies-operator']!.spec.ingress).toEqual([
      { ports: [{ port: 8080 }] },
      { ports: [{ port: 8081 }], from: [{ namespaceSelector: {} }] },
    ]);
    const narrowed = render([scenario('production')], {
      'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team': 'monitoring',
    });
    const from = ofKind(narrowed, 'NetworkPolicy').map((p) => p.spec.ingress.at(-1).from);
    for (const peers of from)
      expect(peers).toEqual([{ namespaceSelector: { matchLabels: { team: 'monitoring' } } }]);
    expect(
      ofKind(render(undefined, { 'networkPolicy.enabled': 'false' }), 'NetworkPolicy').map(
        (p) => p.metadata.name,
      ),
    ).toEqual(['gb-gamebuddies-redis']);
  });

  it('pins every image by digest when asked', () => {
    const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
    const list = render([scenario('production')], {
      'images.operator.digest': digest(1),
      'images.gameServer.digest': digest(2),
      'redis.image.digest': digest(3),
      'redis.exporter.image.digest': digest(4),
    });
    const images = new Set<string>();
    for (const o of list.filter((x) => ['Deployment', 'StatefulSet', 'Fleet'].includes(x.kind))) {
      const pod = podOf(o);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) images.add(c.image);
    }
    expect([...images].sort()).toEqual([
      `ghcr.io/gamebuddies/rooms-gameserver@${digest(2)}`,
      `ghcr.io/gamebuddies/rooms-operator@${digest(1)}`,
      `oliver006/redis_exporter@${digest(4)}`,
      `valkey/valkey@${digest(3)}`,
    ]);
    expect(() => render(undefined, { 'redis.image.digest': 'latest' })).toThrow(/digest/);
  });
});

describe('alerts that mean something', () => {
  const rules = (list: KubeObject[]) =>
    ofKind(list, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules)) as Array<{
      alert: string;
      expr: string;
      annotations: Record<string, string>;
    }>;
  const byName = (list: KubeObject[]) => Object.fromEntries(rules(list).map((r) => [r.alert, r]));

  it('scope every alert to this release (job and namespace) and link a runbook that exists', () => {
    const runbooks = readFileSync(join(CHART, '../../docs/runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const values of ['production', 'deployment', 'agones']) {
      const list = render([scenario(values)], { 'monitoring.enabled': 'true' });
      for (const rule of rules(list)) {
        const selectors = [...String(rule.expr).matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
        expect({ alert: rule.alert, selectors: selectors.length > 0 }).toEqual({
          alert: rule.alert,
          selectors: true,
        });
        for (const selector of selectors)
          expect({
            alert: rule.alert,
            selector,
            scoped:
              (/namespace="[^"]+"/.test(selector) && /job=~?"/.test(selector)) ||
              /persistentvolumeclaim=~"data-gb-gamebuddies-redis-/.test(selector),
          }).toMatchObject({
            scoped: true,
          });
        const url = rule.annotations.runbook_url!;
        expect(url.startsWith('https://github.com/gamebuddies/rooms/blob/main/docs/runbooks.md#')).toBe(true);
        expect({ alert: rule.alert, documented: anchors.has(url.split('#')[1]!) }).toEqual({
          alert: rule.alert,
          documented: true,
        });
      }
    }
    const production = byName(render([scenario('production')]));
    expect(production.GameServerCpuHigh!.expr).toContain(
      'job="gamebuddies-games/gb-gamebuddies-gameserver",namespace="gamebuddies-games"',
    );
    expect(production.GameRoomOperatorNoLeader!.expr).toBe(
      'max(leader_election_master_status{job="gb-gamebuddies-operator",namespace="gb"}) < 1',
    );
  });

  it('do not fire forever without leader election, and say when no operator is up', () => {
    const off = byName(render([scenario('production')], { 'operator.leaderElection': 'false' }));
    expect(off.GameRoomOperatorNoLeader).toBeUndefined();
    expect(off.GameRoomOperatorDown!.expr).toBe(
      'absent(up{job="gb-gamebuddies-operator",namespace="gb"} == 1)',
    );
  });

  it('guard the join-failure ratio with a minimum of traffic', () => {
    const join = byName(render([scenario('production')])).JoinFailuresHigh!.expr;
    expect(join).toMatch(
      /> 0\.01\s*\)\s*and sum\(rate\(gamebuddies_joins_total\{[^}]*\}\[5m\]\)\) > 0\.1\s*$/,
    );
  });

  it('alert on UnAllocated allocations, Redis down, AOF errors, memory near maxmemory and a filling volume', () => {
    const alerts = byName(render([scenario('production')]));
    expect(alerts.GameRoomAllocationsUnAllocated!.expr).toMatch(
      /gamebuddies_allocation_duration_seconds_count\{[^}]*result="UnAllocated"\}/,
    );
    expect(alerts.RedisDown!.expr).toContain(
      'redis_up{job=~"gb-gamebuddies-redis(-headless)?",namespace="gb"} == 0',
    );
    expect(alerts.RedisAofWriteFailing!.expr).toMatch(
      /redis_aof_last_write_status\{.*\} == 0.*redis_aof_last_bgrewrite_status/,
    );
    expect(alerts.RedisMemoryNearMax!.expr).toMatch(
      /redis_memory_used_bytes\{.*\} \/ redis_memory_max_bytes\{.*\} > 0\.9/,
    );
    expect(alerts.RedisVolumeFilling!.expr).toMatch(/kubelet_volume_stats_used_bytes.*> 0\.8\s*$/s);
    // No Redis of ours (external), no Redis alerts; no volume, no volume alert.
    expect(
      byName(render([scenario('external-redis')], { 'monitoring.enabled': 'true' })).RedisDown,
    ).toBeUndefined();
    expect(byName(render([scenario('deployment')])).RedisVolumeFilling).toBeUndefined();
  });

  it('ship a dashboard whose panels are not empty under "All" and count operator gauges once', () => {
    const dashboard = JSON.parse(readFileSync(join(CHART, 'files/dashboard.json'), 'utf8'));
    const variables = dashboard.templating.list.filter((v: any) => v.type === 'query');
    expect(variables.length).toBeGreaterThanOrEqual(3);
    // Without allValue, "All" is the regex of the values listed: Redis and the operator (in the
    // release namespace, with their own jobs) would not match it.
    for (const v of variables)
      expect({ name: v.name, allValue: typeof v.allValue }).toEqual({ name: v.name, allValue: 'string' });
    const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
    const operatorGauges = ['gamebuddies_gamerooms', 'workqueue_depth', 'leader_election_master_status'];
    for (const expr of exprs) {
      for (const gauge of operatorGauges)
        if (expr.includes(gauge))
          expect({ expr, summed: /\bsum\b/.test(expr) }).toEqual({ expr, summed: false });
      if (/\b(redis_|gamebuddies_allocation|controller_runtime|workqueue_)/.test(expr))
        expect({ expr, scoped: expr.includes('$redis_job') || expr.includes('$operator_job') }).toEqual({
          expr,
          scoped: true,
        });
    }
    expect(exprs).toContain(
      'max by (phase) (gamebuddies_gamerooms{job=~"$operator_job", namespace=~"$namespace"})',
    );
  });
});
