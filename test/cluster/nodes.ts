import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterBinaries } from './binaries.js';
import { exited, launch, waitFor } from './launch.js';

/** The loopback address of kwok node i: each node has its own, so equal host ports never clash. */
export function nodeAddress(index: number): string {
  return `127.0.0.${10 + index}`;
}

export const NODE_COUNT = 3;

/**
 * Nodes and pods without a kubelet: kwok (sigs.k8s.io/kwok v0.8.0) fakes nodes and moves pods to
 * Running and away on deletion with its stage policies, and kube-scheduler (the same k8s.io/kubernetes
 * release as kube-apiserver) binds the pods Agones creates to those nodes. Containers never run.
 */
export async function startNodes(options: {
  binaries: ClusterBinaries;
  adminKubeconfig: string;
  admin: KubeConfig;
  stateDir: string;
  log: (line: string) => void;
  detached?: boolean;
  count?: number;
}): Promise<ChildProcess[]> {
  const { binaries, adminKubeconfig: k, stateDir, log } = options;
  const processes: ChildProcess[] = [];
  log('starting kube-scheduler and kwok');
  const schedulerLog = join(stateDir, 'kube-scheduler.log');
  const scheduler = launch(
    binaries.kubeScheduler,
    [
      `--kubeconfig=${k}`,
      `--authentication-kubeconfig=${k}`,
      `--authorization-kubeconfig=${k}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ],
    schedulerLog,
    { detached: options.detached },
  );
  processes.push(scheduler);
  exited(scheduler, 'kube-scheduler', schedulerLog);
  const kwokLog = join(stateDir, 'kwok.log');
  const kwok = launch(
    binaries.kwok,
    [
      `--kubeconfig=${k}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--server-address=',
      ...binaries.kwokStages.flatMap((stage) => ['--config', stage]),
    ],
    kwokLog,
    { detached: options.detached },
  );
  processes.push(kwok);
  exited(kwok, 'kwok', kwokLog);

  const core = options.admin.makeApiClient(CoreV1Api);
  const count = options.count ?? NODE_COUNT;
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    await core.createNode({
      body: {
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake' },
          labels: { 'kubernetes.io/hostname': name, type: 'kwok' },
        },
        status: {
          capacity: { cpu: '32', memory: '128Gi', pods: '110' },
          allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
        },
      },
    });
  }
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    await waitFor(`kwok to make ${name} Ready`, async () => {
      const node = await core.readNode({ name });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
    // What kube-controller-manager's node lifecycle controller and a kubelet would do: lift the
    // not-ready taint the API server put on the new node, and report the node's address.
    await core.patchNode({ name, body: { spec: { taints: [] } } }, merge);
    await core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            addresses: [
              { type: 'InternalIP', address: nodeAddress(i) },
              { type: 'Hostname', address: name },
            ],
          },
        },
      },
      merge,
    );
  }
  log(`${count} kwok nodes Ready (${nodeAddress(0)}..${nodeAddress(count - 1)})`);
  return processes;
}
