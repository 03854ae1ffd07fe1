import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** performance.now() of this test process when the request reached the proxy. */
  at: number;
}

/**
 * A loopback HTTP proxy in front of the test API server (with the admin's credentials): one per
 * operator replica, so a test can see each replica's requests and make its connection to the API
 * server fail or hang without touching the others. Not a fake: every request it lets through is
 * answered by the real API server.
 */
export class ApiProxy {
  /** Every request that reached the proxy, forwarded or not. */
  readonly requests: ProxiedRequest[] = [];
  /** Answer 503 to requests matching this (an API server that refuses, e.g. the first lists). */
  refuse: (req: ProxiedRequest) => boolean = () => false;
  /** Hold every new request unanswered (an API server that cannot be reached); streams stop too. */
  private hanging = false;
  private readonly held = new Set<ServerResponse>();
  private readonly answers = new Set<IncomingMessage>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(admin: KubeConfig): Promise<ApiProxy> {
    const upstream = new URL(admin.getCurrentCluster()!.server);
    const tls: RequestOptions = {};
    await admin.applyToHTTPSOptions(tls);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new ApiProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const seen = { method: req.method ?? 'GET', path: req.url ?? '/', at: performance.now() };
      proxy.requests.push(seen);
      if (proxy.hanging) {
        proxy.held.add(res);
        return;
      }
      if (proxy.refuse(seen)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 503,
            message: 'refused by the test proxy',
          }),
        );
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const out = httpsRequest(
        {
          ...tls,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          proxy.answers.add(answer);
          answer.once('close', () => proxy.answers.delete(answer));
          if (proxy.hanging) answer.pause();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.flushHeaders(); // a watch's headers come long before its first event
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      res.on('close', () => out.destroy());
      req.pipe(out);
    });
    return proxy;
  }

  /** Non-GET requests outside the Lease API (what a replica changes in the cluster). */
  writes(): ProxiedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/leases'));
  }

  /**
   * From now on the API server seems unreachable: new requests are recorded but get no answer, and
   * open answers (watches) stop flowing.
   */
  hang(): void {
    this.hanging = true;
    for (const answer of this.answers) answer.pause();
  }

  /** The connection comes back broken: what was held or paused is dropped, new requests pass. */
  resume(): void {
    if (!this.hanging) return;
    this.hanging = false;
    for (const res of this.held) res.destroy();
    this.held.clear();
    for (const answer of this.answers) answer.destroy();
    for (const socket of this.sockets) socket.destroy();
  }

  /** A kubeconfig that reaches the API server through this proxy. */
  kubeconfig(dir: string, name: string): string {
    const path = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{ name: proxy, cluster: { server: '${this.url}', insecure-skip-tls-verify: true } }]`,
        'users: [{ name: proxy, user: {} }]',
        'contexts: [{ name: proxy, context: { cluster: proxy, user: proxy } }]',
        'current-context: proxy',
        '',
      ].join('\n'),
    );
    return path;
  }

  async close(): Promise<void> {
    this.resume();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
