import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Debian's nginx as the reverse proxy in front of one backend, as an Ingress is: it appends the
 * address it sees to X-Forwarded-For (`$proxy_add_x_forwarded_for`) and passes WebSocket upgrades.
 * Its own prefix, config, pid file and logs in a temp folder; a foreground child (`daemon off`).
 */
export class NginxProxy {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(backendUrl: string): Promise<NginxProxy> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'gb-nginx-'));
    // Workers run as an unprivileged user when nginx is started by root: they must reach the temp paths.
    chmodSync(dir, 0o755);
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      mkdirSync(join(dir, sub));
      chmodSync(join(dir, sub), 0o777);
    }
    const backend = new URL(backendUrl);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${backend.host};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
      proxy_redirect off;
    }
  }
}
`,
    );
    const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const proxy = new NginxProxy(`http://127.0.0.1:${port}`, dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`nginx exited (${child.exitCode}): ${stderr}${proxy.errorLog()}`);
      const up = await httpRequest(`${proxy.url}/healthz`).then(
        () => true,
        () => false,
      );
      if (up) return proxy;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`nginx did not answer: ${stderr}${proxy.errorLog()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Everything nginx logged about requests so far (it writes each line as the request ends). */
  accessLog(): string {
    return readFile(join(this.dir, 'access.log'));
  }

  errorLog(): string {
    return readFile(join(this.dir, 'error.log'));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const gone = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGQUIT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/**
 * One HTTP request from a chosen loopback address (127.0.0.2, 127.0.0.3...: every player its own
 * machine), with whatever headers an attacker likes. Redirects are not followed.
 */
export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ...(init.from ? { localAddress: init.from } : {}),
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}
