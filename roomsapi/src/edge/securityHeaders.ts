import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Security headers on every HTTP answer (pages, the Rooms API, `/r/`, Socket.IO's polling requests,
 * errors). The page is built by Vite into files only (no inline script or style), so the policy
 * allows scripts and styles from this origin alone. `connect-src` allows any http(s)/ws(s) origin:
 * a page follows its room to whichever game server holds it now, and those addresses are not known
 * when the page is served (Agones gives each GameServer its node's address). The page never sends a
 * Referer, so a URL with a room code never leaks into another site's logs.
 */
export function securityHeaders(): Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Served over plain HTTP on a laptop and over HTTPS behind an Ingress: browsers ignore HSTS
    // on HTTP; never includeSubDomains, the Ingress host's parent domain is not ours.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
    xFrameOptions: { action: 'deny' },
  }) as Middleware;
}

const ENGINE_STATUS_CODES: Record<number, string> = { 403: 'FORBIDDEN' };

/**
 * Socket.IO (engine.io) answers its own HTTP errors with `{ code: <number>, message }`; rewritten to
 * the `{ error: { code, message } }` every other 4xx carries. Socket.IO clients read only the status.
 */
export function engineErrorShape(): Middleware {
  return (_req, res, next) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const [chunk] = args;
      if (res.statusCode >= 400 && res.statusCode < 500 && typeof chunk === 'string') {
        try {
          const parsed = JSON.parse(chunk) as { code?: unknown; message?: unknown };
          if (typeof parsed.code === 'number') {
            const body = JSON.stringify({
              error: {
                code: ENGINE_STATUS_CODES[res.statusCode] ?? 'BAD_REQUEST',
                message: typeof parsed.message === 'string' ? parsed.message : 'Bad request',
              },
            });
            if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
            return end(body, ...args.slice(1));
          }
        } catch {
          // not engine.io's JSON: left as it is
        }
      }
      return end(...args);
    }) as typeof res.end;
    next();
  };
}
