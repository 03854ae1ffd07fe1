import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { testCluster } from './cluster.js';
import { CHART, helm, renderChart, writeObjects, type KubeObject } from './chart.js';
import { kubectl } from './kubectl.js';
import { applyCrds } from './crds.js';
import { prometheusOperatorCrdFiles } from './prometheusCrds.js';

// The Helm chart, checked the way a cluster would check it: helm's own lint and schema, then every
// object of every CI scenario sent to a real kube-apiserver as a server-side dry run with strict
// field validation — built-in kinds against Kubernetes' schemas, GameRoom against our CRD, the
// monitoring kinds against the Prometheus Operator's CRDs, Fleet/FleetAutoscaler against Agones
// v1.60.0's own CRDs (and its admission webhooks).

const cluster = testCluster();
const core = cluster.admin().makeApiClient(CoreV1Api);
const SCENARIOS = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml'));
const scenario = (file: string) => join(CHART, 'ci', file);

async function namespace(name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

beforeAll(async () => {
  for (const file of prometheusOperatorCrdFiles())
    await applyCrds(cluster.kubectl, cluster.kubeconfigPath, file);
  await applyCrds(
    cluster.kubectl,
    cluster.kubeconfigPath,
    join(CHART, 'files/crds/gamerooms.gamebuddies.io.yaml'),
  );
}, 120_000);

describe.each(SCENARIOS)('the chart with ci/%s', (file) => {
  it('passes helm lint --strict', () => {
    expect(helm(cluster.helm, ['lint', '--strict', CHART, '-f', scenario(file)])).toContain(
      '0 chart(s) failed',
    );
  });

  it('renders objects the API server accepts (server-side dry run, strict field validation)', async () => {
    const ns = `chart-${randomBytes(3).toString('hex')}`;
    await namespace(ns);
    const { objects } = renderChart(cluster.helm, { namespace: ns, valuesFiles: [scenario(file)] });
    for (const other of new Set(objects.map((o) => o.metadata.namespace).filter(Boolean)))
      await namespace(other!);
    // A Fleet's pod template is opaque to Agones' CRD schema: check it as the PodTemplate it is.
    const podTemplates: KubeObject[] = objects
      .filter((o) => o.kind === 'Fleet')
      .map((fleet) => ({
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: `${fleet.metadata.name}-pod`, namespace: fleet.metadata.namespace },
        template: fleet.spec.template.spec.template,
      }));
    const out = kubectl(cluster.kubectl, cluster.kubeconfigPath, [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=chart-test',
      '--dry-run=server',
      '--validate=strict',
      '-f',
      writeObjects([...objects, ...podTemplates]),
    ]);
    // One line per object ("<kind>/<name> serverside-applied (server dry run)").
    expect(out.trim().split('\n')).toHaveLength(objects.length + podTemplates.length);
    expect(out).not.toMatch(/warning/i);
  });

  it('labels every object with the app.kubernetes.io labels', () => {
    const { objects } = renderChart(cluster.helm, { namespace: 'gb', valuesFiles: [scenario(file)] });
    for (const o of objects) {
      expect({ object: `${o.kind}/${o.metadata.name}`, labels: o.metadata.labels }).toMatchObject({
        labels: {
          'app.kubernetes.io/name': 'gamebuddies',
          'app.kubernetes.io/instance': 'gb',
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/component': expect.any(String),
        },
      });
    }
  });
});

describe('what the chart renders', () => {
  const objects = (valuesFiles: string[], set: Record<string, string> = {}) =>
    renderChart(cluster.helm, { namespace: 'gb', valuesFiles, set }).objects;
  const ofKind = (list: KubeObject[], kind: string) => list.filter((o) => o.kind === kind);
  const env = (container: any) =>
    Object.fromEntries((container.env as any[]).filter((e) => 'value' in e).map((e) => [e.name, e.value]));

  it('refuses values outside the schema, naming the value', () => {
    expect(() => objects([], { 'gameServers.maxRooms': '5000' })).toThrow(/gameServers\/maxRooms.*maximum/s);
    expect(() => objects([], { mode: 'kubernetes' })).toThrow(/\/mode/);
    expect(() => objects([], { 'redis.mode': 'external' })).toThrow(/redis\/external/);
    expect(() => objects([], { 'roomsApi.apiKeys[0]': 'short' })).toThrow(/apiKeys\/0.*minLength/s);
    // Agones' FleetAutoscaler rules, refused before anything reaches the cluster.
    expect(() => objects([], { 'gameServers.fleet.autoscaler.bufferSize': '30' })).toThrow(
      /minCapacity 20 must be 0 or at least bufferSize 30/,
    );
    expect(() => objects([], { 'gameServers.fleet.autoscaler.bufferSize': '0%' })).toThrow(/bufferSize/);
  });

  it('gives each game type a Fleet the operator can allocate from, with a List autoscaler', () => {
    const list = objects([scenario('production-values.yaml')]);
    const fleets = ofKind(list, 'Fleet');
    expect(fleets.map((f) => f.metadata.labels!['gamebuddies.io/game-type']).sort()).toEqual([
      'bingo',
      'clue',
      'ddf',
      'susd',
    ]);
    const ddf = fleets.find((f) => f.metadata.labels!['gamebuddies.io/game-type'] === 'ddf')!;
    // Under an autoscaler the Fleet carries no replicas (an upgrade must not reset them); without, it does.
    expect(ddf.spec.replicas).toBeUndefined();
    const fixed = ofKind(objects([scenario('external-redis-values.yaml')]), 'Fleet')[0]!;
    expect(fixed.spec.replicas).toBe(2);
    // Pod and GameServer templates carry no chart version: an upgrade does not roll every game server.
    expect(ddf.spec.template.metadata.labels['helm.sh/chart']).toBeUndefined();
    expect(ddf.spec.template.spec.template.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    // The operator's selector label and the List it adds room codes to (operator defaults).
    expect(ddf.spec.template.metadata.labels['gamebuddies.io/game-type']).toBe('ddf');
    expect(ddf.spec.template.spec.lists.rooms.capacity).toBe(20);
    const container = ddf.spec.template.spec.template.spec.containers[0];
    expect(env(container)).toMatchObject({
      AGONES_ENABLED: 'true',
      MAX_ROOMS: '20',
      LOOKUP_URL: 'https://rooms.example.com',
    });
    expect(env(container).REDIS_SENTINELS.split(',')).toHaveLength(3);
    const susd = fleets.find((f) => f.metadata.labels!['gamebuddies.io/game-type'] === 'susd')!;
    expect(susd.spec.template.spec.lists.rooms.capacity).toBe(50);
    const autoscalers = ofKind(list, 'FleetAutoscaler');
    expect(autoscalers).toHaveLength(4);
    const bingo = autoscalers.find((a) => a.metadata.labels!['gamebuddies.io/game-type'] === 'bingo')!;
    expect(bingo.spec.policy).toEqual({
      type: 'List',
      list: { key: 'rooms', bufferSize: '20%', minCapacity: 50, maxCapacity: 1000 },
    });
    expect(fleets.map((f) => f.metadata.name)).toContain(bingo.spec.fleetName);
  });

  it('runs the operator as two non-root, read-only replicas with a disruption budget', () => {
    const list = objects([scenario('agones-values.yaml')]);
    const [deployment] = ofKind(list, 'Deployment');
    expect(deployment!.spec.replicas).toBe(2);
    const pod = deployment!.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(env(pod.containers[0])).toMatchObject({
      LEADER_ELECTION: 'true',
      LEASE_NAME: 'gb-gamebuddies-operator',
    });
    expect(ofKind(list, 'PodDisruptionBudget')[0]!.spec.minAvailable).toBe(1);
    // The keys come from a Secret, never from the pod spec.
    expect(JSON.stringify(deployment)).not.toContain('ci-key-0123456789abcdef');
  });

  it('keeps the CRD on uninstall unless told otherwise', () => {
    const [kept] = ofKind(objects([scenario('agones-values.yaml')]), 'CustomResourceDefinition');
    expect(kept!.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    const [dropped] = ofKind(objects([scenario('external-redis-values.yaml')]), 'CustomResourceDefinition');
    expect(dropped!.metadata.annotations).toBeUndefined();
    expect(
      ofKind(
        objects([scenario('agones-values.yaml')], { 'crds.install': 'false' }),
        'CustomResourceDefinition',
      ),
    ).toEqual([]);
    // The chart's copy of the CRD is crds/ itself.
    expect(readFileSync(join(CHART, 'files/crds/gamerooms.gamebuddies.io.yaml'), 'utf8')).toBe(
      readFileSync(join(CHART, '../../crds/gamerooms.gamebuddies.io.yaml'), 'utf8'),
    );
  });

  it('in deployment mode runs game servers behind a sticky Service and Ingress, with no operator', () => {
    const list = objects([scenario('deployment-values.yaml')]);
    expect(ofKind(list, 'Fleet')).toEqual([]);
    expect(ofKind(list, 'CustomResourceDefinition')).toEqual([]);
    expect(ofKind(list, 'Role')).toEqual([]);
    const [deployment] = ofKind(list, 'Deployment');
    expect(deployment!.metadata.labels!['app.kubernetes.io/component']).toBe('gameserver');
    expect(env(deployment!.spec.template.spec.containers[0])).toMatchObject({
      PUBLIC_URL: 'http://play.example.com',
      REDIS_URL: 'redis://gb-gamebuddies-redis.gb.svc:6379',
    });
    const service = ofKind(list, 'Service').find((s) => s.metadata.name === 'gb-gamebuddies-gameserver')!;
    expect(service.spec.sessionAffinity).toBe('ClientIP');
    const [ingress] = ofKind(list, 'Ingress');
    expect(ingress!.metadata.annotations!['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(ingress!.spec.rules[0].http.paths[0].backend.service.name).toBe('gb-gamebuddies-gameserver');
  });

  it('runs Redis with an append-only file synced on every write, a password and an exporter', () => {
    const list = objects([scenario('agones-values.yaml')]);
    const config = ofKind(list, 'ConfigMap').find((c) => c.data['redis.conf'])!;
    expect(config.data['redis.conf']).toMatch(/appendonly yes\nappendfsync always/);
    const [redis] = ofKind(list, 'StatefulSet');
    expect(redis!.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(redis!.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['redis', 'exporter']);
    const secret = ofKind(list, 'Secret').find((s) => s.metadata.name === 'gb-gamebuddies-redis')!;
    expect(secret.stringData.password).toMatch(/^[A-Za-z0-9]{32}$/);
    const sentinel = ofKind(objects([scenario('production-values.yaml')]), 'StatefulSet')[0]!;
    expect(sentinel.spec.replicas).toBe(3);
    expect(sentinel.spec.podManagementPolicy).toBe('Parallel');
    // Only this release's pods reach Redis and Sentinel (both also require the password).
    const policy = ofKind(objects([scenario('production-values.yaml')]), 'NetworkPolicy').find(
      (p) => p.metadata.name === 'gb-gamebuddies-redis',
    );
    const from = policy!.spec.ingress[0].from[0];
    expect(from.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/instance': 'gb',
      'app.kubernetes.io/part-of': 'gamebuddies-rooms',
    });
    expect(from.namespaceSelector.matchExpressions[0].values).toEqual(['gb', 'gamebuddies-games']);
    expect(policy!.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([6379, 26379]);
    expect(sentinel.spec.template.spec.containers.map((c: any) => c.name)).toEqual([
      'redis',
      'sentinel',
      'exporter',
    ]);
  });

  it("alerts on the seed's thresholds", () => {
    const [rule] = ofKind(objects([scenario('production-values.yaml')]), 'PrometheusRule');
    const alerts = Object.fromEntries(
      rule!.spec.groups.flatMap((g: any) => g.rules).map((r: any) => [r.alert, String(r.expr)]),
    );
    expect(alerts.GameServerCpuHigh).toMatch(/process_cpu_seconds_total.*> 0\.8$/);
    expect(alerts.GameServerMemoryHigh).toMatch(/gamebuddies_memory_limit_bytes.*> 0\.9$/);
    expect(alerts.RedisLatencyHigh).toMatch(/gamebuddies_store_operation_seconds_bucket.*> 0\.1$/);
    expect(alerts.BroadcastLatencyHigh).toMatch(/gamebuddies_broadcast_latency_seconds_bucket.*> 0\.5$/);
    expect(alerts.GameRoomTimeToReadySlow).toMatch(/gamebuddies_allocation_duration_seconds_bucket.*> 5$/);
    expect(alerts.JoinFailuresHigh).toMatch(/gamebuddies_joins_total.*result!="ok".*> 0\.01\s*\)/s);
    // Scoped to the game servers' PodMonitor (its job label is <namespace>/<name>).
    expect(alerts.GameServerCpuHigh).toContain('job="gamebuddies-games/gb-gamebuddies-gameserver"');
    // Without Agones the game servers create the rooms themselves.
    const [deploymentRule] = ofKind(objects([scenario('deployment-values.yaml')]), 'PrometheusRule');
    const deploymentAlerts = Object.fromEntries(
      deploymentRule!.spec.groups.flatMap((g: any) => g.rules).map((r: any) => [r.alert, String(r.expr)]),
    );
    expect(deploymentAlerts.RoomCreationSlow).toMatch(/gamebuddies_room_creation_seconds_bucket.*> 5$/);
    expect(deploymentAlerts.GameRoomOperatorNoLeader).toBeUndefined();
  });

  it('ships the Grafana dashboard as a ConfigMap the Grafana sidecar picks up', () => {
    const dashboard = ofKind(objects([scenario('production-values.yaml')]), 'ConfigMap').find(
      (c) => c.metadata.labels!.grafana_dashboard === '1',
    )!;
    const json = JSON.parse(dashboard.data['gamebuddies-rooms.json']);
    expect(json.title).toBe('GameBuddies Rooms');
    expect(json.panels.filter((p: any) => p.type === 'timeseries').length).toBeGreaterThan(10);
  });
});
