import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The PKI of a test control plane, generated with the openssl CLI into `dir`. */
export interface ClusterPki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  frontProxyCaCert: string;
  proxyClientCert: string;
  proxyClientKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** Serving certificate of Agones' extensions (webhooks and the allocation API). */
  agonesCert: string;
  agonesKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string, subject: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-subj',
      subject,
    ],
    dir,
  );
}

/** A key and a certificate signed by `caName`, for a client (`clientAuth`) or a server with SANs. */
function leaf(
  dir: string,
  name: string,
  caName: string,
  subject: string,
  usage: 'client' | 'server',
  sans: string[] = [],
): void {
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ],
    dir,
  );
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
    ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

export function generatePki(dir: string): ClusterPki {
  ca(dir, 'ca', '/CN=gamebuddies-test-ca');
  leaf(dir, 'apiserver', 'ca', '/CN=kube-apiserver', 'server', [
    'IP:127.0.0.1',
    'IP:10.0.0.1',
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
  ]);
  leaf(dir, 'admin', 'ca', '/O=system:masters/CN=admin', 'client');
  ca(dir, 'front-proxy-ca', '/CN=gamebuddies-test-front-proxy-ca');
  leaf(dir, 'proxy-client', 'front-proxy-ca', '/CN=aggregator', 'client');
  // agones-extensions: the webhooks are called at https://127.0.0.1 and the aggregator checks the
  // name of the APIService's Service.
  leaf(dir, 'agones-extensions', 'ca', '/CN=agones-extensions', 'server', [
    'IP:127.0.0.1',
    'DNS:localhost',
    'DNS:agones-controller-service.agones-system.svc',
  ]);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const f = (name: string) => join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    servingCert: f('apiserver.crt'),
    servingKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    frontProxyCaCert: f('front-proxy-ca.crt'),
    proxyClientCert: f('proxy-client.crt'),
    proxyClientKey: f('proxy-client.key'),
    serviceAccountKey: f('sa.key'),
    serviceAccountPub: f('sa.pub'),
    agonesCert: f('agones-extensions.crt'),
    agonesKey: f('agones-extensions.key'),
  };
}
