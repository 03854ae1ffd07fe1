/**
 * FAKE Agones allocator: serves `allocation.agones.dev/v1` GameServerAllocation behind the Kubernetes
 * aggregation layer, like Agones' agones-extensions does, for the test control plane (Agones' own
 * module cannot be fetched here). Requests come from the aggregator with its front-proxy client
 * certificate and the caller in X-Remote-User/X-Remote-Group; the caller's right to create
 * gameserverallocations is checked with a SubjectAccessReview, as a delegating API server does.
 *
 *   node --import tsx allocator.ts --port P --cert C --key K --client-ca CA --kubeconfig KC
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TLSSocket } from 'node:tls';
import { AuthorizationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { applyAllocation, candidatesFor, type AllocationSpec, type GameServer } from './allocation.js';

const GROUP = 'allocation.agones.dev';
const VERSION = 'v1';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'client-ca': { type: 'string' },
    kubeconfig: { type: 'string' },
  },
});

const kc = new KubeConfig();
kc.loadFromFile(args.kubeconfig!);
const custom = kc.makeApiClient(CustomObjectsApi);
const authz = kc.makeApiClient(AuthorizationV1Api);

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function statusError(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body;
}

async function allowed(req: IncomingMessage, namespace: string): Promise<boolean> {
  const user = req.headers['x-remote-user'];
  const groups = ([] as string[]).concat(req.headers['x-remote-group'] ?? []).flatMap((g) => g.split(','));
  const review = await authz.createSubjectAccessReview({
    body: {
      spec: {
        user: String(user ?? ''),
        groups,
        resourceAttributes: {
          group: GROUP,
          version: VERSION,
          resource: 'gameserverallocations',
          verb: 'create',
          namespace,
        },
      },
    },
  });
  return review.status?.allowed === true;
}

async function allocate(namespace: string, spec: AllocationSpec) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const list = (await custom.listNamespacedCustomObject({
      group: 'agones.dev',
      version: 'v1',
      namespace,
      plural: 'gameservers',
    })) as { items: GameServer[] };
    const candidates = candidatesFor(list.items, spec);
    if (candidates.length === 0) return { state: 'UnAllocated' as const };
    const chosen = candidates[0]!;
    try {
      // The resourceVersion makes this compare-and-swap: a concurrent allocation of the same
      // GameServer makes it fail, and we look again.
      const updated = (await custom.replaceNamespacedCustomObject({
        group: 'agones.dev',
        version: 'v1',
        namespace,
        plural: 'gameservers',
        name: chosen.metadata.name,
        body: applyAllocation(chosen, spec),
      })) as GameServer;
      return {
        state: 'Allocated' as const,
        gameServerName: updated.metadata.name,
        address: updated.status?.address ?? '',
        addresses: updated.status?.addresses ?? [],
        ports: updated.status?.ports ?? [],
        nodeName: updated.status?.nodeName ?? '',
        source: 'local',
        metadata: { labels: updated.metadata.labels ?? {}, annotations: updated.metadata.annotations ?? {} },
        counters: updated.status?.counters ?? {},
        lists: updated.status?.lists ?? {},
      };
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  return { state: 'Contention' as const };
}

const resourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: `${GROUP}/${VERSION}`,
  resources: [
    {
      name: 'gameserverallocations',
      singularName: 'gameserverallocation',
      namespaced: true,
      kind: 'GameServerAllocation',
      verbs: ['create'],
    },
  ],
};
const group = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: GROUP,
  versions: [{ groupVersion: `${GROUP}/${VERSION}`, version: VERSION }],
  preferredVersion: { groupVersion: `${GROUP}/${VERSION}`, version: VERSION },
};

const ALLOCATE = new RegExp(
  `^/apis/${GROUP.replace(/\./g, '\\.')}/${VERSION}/namespaces/([^/]+)/gameserverallocations/?$`,
);

const server = createServer(
  {
    cert: readFileSync(args.cert!),
    key: readFileSync(args.key!),
    ca: readFileSync(args['client-ca']!),
    requestCert: true,
    rejectUnauthorized: false,
  },
  (req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/healthz' || path === '/readyz' || path === '/livez') return send(res, 200, 'ok');
      // Only the aggregator, proving itself with the front-proxy certificate, may speak for a user.
      if (!(req.socket as TLSSocket).authorized)
        return statusError(res, 401, 'Unauthorized', 'front-proxy client certificate required');
      if (req.method === 'GET' && path === `/apis/${GROUP}/${VERSION}`) return send(res, 200, resourceList);
      if (req.method === 'GET' && path === `/apis/${GROUP}`) return send(res, 200, group);
      if (req.method === 'GET' && path === '/apis')
        return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] });
      const match = path.match(ALLOCATE);
      if (!match) return statusError(res, 404, 'NotFound', `${req.method} ${path} is not served here`);
      if (req.method !== 'POST')
        return statusError(res, 405, 'MethodNotAllowed', 'GameServerAllocation is create-only');
      const namespace = decodeURIComponent(match[1]!);
      if (!(await allowed(req, namespace))) {
        return statusError(
          res,
          403,
          'Forbidden',
          `gameserverallocations.${GROUP} is forbidden: User "${String(req.headers['x-remote-user'])}" cannot create resource "gameserverallocations" in API group "${GROUP}" in the namespace "${namespace}"`,
        );
      }
      let body: { metadata?: Record<string, unknown>; spec?: AllocationSpec };
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return statusError(res, 400, 'BadRequest', 'body is not JSON');
      }
      const spec = body.spec ?? {};
      const status = await allocate(namespace, spec);
      send(res, 201, {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'GameServerAllocation',
        metadata: {
          ...(body.metadata ?? {}),
          name: `allocation-${randomBytes(4).toString('hex')}`,
          namespace,
          creationTimestamp: new Date().toISOString(),
        },
        spec,
        status,
      });
    })().catch((error: unknown) => statusError(res, 500, 'InternalError', (error as Error).message));
  },
);

server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`fake agones allocator listening on 127.0.0.1:${args.port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
