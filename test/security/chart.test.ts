import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadConfig } from '@gamebuddies/gameserver';
import { loadOperatorConfig } from '@gamebuddies/operator';
import { ensureBinaries } from '../cluster/binaries.js';
import { CHART, renderChart, type KubeObject } from '../cluster/chart.js';

// What the chart sets for the edge, read back through the processes' own config loaders: the env a
// pod would get (Secret references resolved from the rendered Secrets) must start the process with
// the promised settings.

let helm: string;
beforeAll(async () => {
  helm = (await ensureBinaries(() => undefined)).helm;
}, 600_000);

const EXISTING_SECRET: Record<string, string> = {
  'token-encryption-key': Buffer.alloc(32, 3).toString('base64'),
  'api-keys': 'existing-key-0123456789',
};

const scenario = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);

function containerEnv(objects: KubeObject[], kind: string, nameEnd: string): Record<string, string> {
  const workload = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(nameEnd));
  if (!workload) throw new Error(`no ${kind} *${nameEnd}`);
  const container = (workload.spec.template.spec.template?.spec ?? workload.spec.template.spec).containers[0];
  const secrets = new Map<string, Record<string, string>>();
  for (const o of objects.filter((x) => x.kind === 'Secret'))
    secrets.set(o.metadata.name, o.stringData ?? {});
  const env: Record<string, string> = {};
  for (const entry of container.env as Array<{ name: string; value?: string; valueFrom?: any }>) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.secretKeyRef) {
      const ref = entry.valueFrom.secretKeyRef;
      // An existingSecret is not rendered: what an operator would have put in it.
      env[entry.name] =
        secrets.get(ref.name)?.[ref.key] ?? EXISTING_SECRET[ref.key] ?? 'secret-value-0123456789';
    } else env[entry.name] = 'from-the-downward-api';
  }
  return env;
}

describe('the chart sets the edge', () => {
  it('mode=deployment: no open room creation, the Ingress as the one trusted proxy, a token key', () => {
    const { objects } = renderChart(helm, { namespace: 'gb', valuesFiles: [scenario('deployment')] });
    const env = containerEnv(objects, 'Deployment', '-gameserver');
    const config = loadConfig(env);
    expect(config.openRoomCreation).toBe(false);
    expect(config.trustProxy).toEqual({ kind: 'hops', hops: 1 });
    expect(config.tokenSealer).toBeDefined();
    expect(env.TOKEN_ENCRYPTION_KEY).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('mode=agones with Sentinel: the operator trusts its Ingress; every Redis user waits for a replica', () => {
    const { objects } = renderChart(helm, { namespace: 'gb', valuesFiles: [scenario('production')] });
    const operator = loadOperatorConfig(containerEnv(objects, 'Deployment', '-operator'));
    expect(operator.trustProxy).toEqual({ kind: 'hops', hops: 1 });
    expect(operator.redisAckReplicas).toBe(1);
    expect(operator.tokenSealer).toBeDefined();
    const fleet = objects.find((o) => o.kind === 'Fleet')!;
    const gameServer = loadConfig(
      Object.fromEntries(
        (
          fleet.spec.template.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>
        ).map((e) => [e.name, e.value ?? 'x'.repeat(16)]),
      ),
    );
    expect(gameServer.redisAckReplicas).toBe(1);
  });

  it('without an Ingress nothing is trusted to name the client', () => {
    const { objects } = renderChart(helm, { namespace: 'gb', valuesFiles: [scenario('agones')] });
    expect(loadOperatorConfig(containerEnv(objects, 'Deployment', '-operator')).trustProxy).toEqual({
      kind: 'none',
    });
  });
});
