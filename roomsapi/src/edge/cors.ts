import type { RequestHandler } from 'express';

export interface CorsPolicy {
  /** Origins allowed to read public answers (`/r/`, `/play`): `*` for any. */
  public: (origin: string) => boolean;
  /** Origins allowed to call the Rooms API from a page: listed ones only, never `*`. */
  api: (origin: string) => boolean;
  /** What Socket.IO's own CORS option takes. */
  socketIo: string[] | '*';
}

/** `http://a:1/` and `http://a:1` are one origin. */
export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * CORS_ORIGINS plus the origins this process knows it serves pages for (its own public URL, the
 * lookup front, a fleet's members). Unset means those alone: no other site's page can read the
 * answers. Cookie-less everywhere: nothing here ever allows credentials.
 */
export function corsPolicy(
  configured: readonly string[],
  known: ReadonlyArray<string | undefined>,
): CorsPolicy {
  const any = configured.includes('*');
  const listed = new Set(
    [...configured.filter((o) => o !== '*'), ...known]
      .map((o) => (o ? originOf(o) : undefined))
      .filter((o): o is string => !!o),
  );
  return {
    public: (origin) => any || listed.has(origin),
    api: (origin) => listed.has(origin),
    socketIo: any ? '*' : [...listed],
  };
}

const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-api-key, accept';

/** Answers CORS for one kind of route; a refused origin simply gets no CORS headers. */
export function corsFor(allowed: (origin: string) => boolean, methods: string): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin && allowed(origin)) {
      res.set('access-control-allow-origin', origin);
      if (req.method === 'OPTIONS') {
        res.set('access-control-allow-methods', methods);
        res.set('access-control-allow-headers', ALLOWED_HEADERS);
        res.set('access-control-max-age', '600');
      }
    }
    if (req.method === 'OPTIONS' && req.get('access-control-request-method'))
      return void res.status(204).end();
    next();
  };
}
