import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import pino from 'pino';
import { ResilientInformer } from '../../src/controller/resilientInformer.js';

// The list is a function the informer is given; the watch goes to a loopback HTTP server that
// accepts it and stays quiet (as an API server with no changes does).

let server: Server;
const watches: ServerResponse[] = [];
let kubeConfig: KubeConfig;

beforeEach(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    watches.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(async () => {
  jest.useRealTimers();
  for (const res of watches.splice(0)) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const item = {
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name: 'existing', namespace: 'ns', resourceVersion: '1' },
};

describe('ResilientInformer', () => {
  it('is synced only after a list succeeds, retrying failed lists with growing back-off', async () => {
    let calls = 0;
    const at: number[] = [];
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      calls++;
      at.push(performance.now());
      if (calls <= 3) throw Object.assign(new Error('refused'), { code: 503 });
      return { apiVersion: 'v1', kind: 'ThingList', metadata: { resourceVersion: '1' }, items: [item] };
    };
    const informer = new ResilientInformer(
      kubeConfig,
      '/api/v1/namespaces/ns/things',
      list,
      pino({ level: 'silent' }),
      60_000,
      {
        min: 100,
        max: 1000,
      },
    );
    let synced = false;
    const started = informer.start().then(() => (synced = true));

    const until = async (calls_: number) => {
      for (let i = 0; i < 200 && calls < calls_; i++) await jest.advanceTimersByTimeAsync(10);
    };
    await until(1);
    expect(informer.hasSynced).toBe(false);
    await until(3);
    await jest.advanceTimersByTimeAsync(5);
    expect([calls, informer.hasSynced, synced, informer.list().length]).toEqual([3, false, false, 0]);
    await until(4);
    for (let i = 0; i < 100 && !synced; i++) await jest.advanceTimersByTimeAsync(10);
    await started;
    expect(informer.hasSynced).toBe(true);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['existing']);
    await informer.stop();
  });
});
