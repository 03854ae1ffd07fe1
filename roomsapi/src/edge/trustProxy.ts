import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';

/**
 * Which proxies in front of a process may say who the client is (`X-Forwarded-For`). The same
 * setting Express and proxy-addr use: none, the number of proxies in front (`1` behind one Ingress),
 * or the addresses of the proxies (`10.0.0.0/8,loopback`). A client's own `X-Forwarded-For` entries
 * are never believed: the address is the first one, counted from the connection, that no trusted
 * proxy added.
 */
export type TrustProxy =
  { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; addresses: string[] };

export type TrustFunction = (address: string, hop: number) => boolean;

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as read from the environment: `false`/`0`, a hop count, or addresses and CIDRs. */
export const TrustProxyEnv = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim();
  if (value === 'false' || value === '0' || value === 'no') return { kind: 'none' };
  if (value === 'true' || value === 'yes') {
    ctx.addIssue({
      code: 'custom',
      message:
        'true would believe any X-Forwarded-For a client writes; give the number of proxies in front (1 behind one Ingress) or their addresses (10.0.0.0/8)',
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) {
      ctx.addIssue({ code: 'custom', message: 'at most 10 proxies' });
      return z.NEVER;
    }
    return { kind: 'hops', hops };
  }
  const addresses = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    proxyaddr.compile(addresses.filter((entry) => !NAMES.has(entry)));
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `not a proxy count nor addresses/CIDRs (${(error as Error).message})`,
    });
    return z.NEVER;
  }
  return { kind: 'addresses', addresses };
});

/** The function Express (`trust proxy`) and proxy-addr ask about each hop. */
export function trustFunction(setting: TrustProxy): TrustFunction {
  switch (setting.kind) {
    case 'none':
      return () => false;
    case 'hops':
      return (_address, hop) => hop < setting.hops;
    case 'addresses':
      return proxyaddr.compile(setting.addresses);
  }
}

/** For logs and the start banner. */
export function describeTrustProxy(setting: TrustProxy): string {
  if (setting.kind === 'none') return 'none';
  if (setting.kind === 'hops') return `${setting.hops} hop(s)`;
  return setting.addresses.join(',');
}

/**
 * The client's address as the setting yields it, for any Node request (an Express request, a
 * Socket.IO handshake's `socket.request`). Rate limits key on it.
 */
export function clientAddress(request: IncomingMessage, trust: TrustFunction): string {
  if (!request.socket?.remoteAddress) return 'unknown';
  return normalizeAddress(proxyaddr(request, trust));
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one client. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
