import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@gamebuddies/protocol';

/** `admin` keys may do everything; `read` keys only look (GET). */
export type ApiKeyScope = 'admin' | 'read';

export interface ApiKey {
  /** Short, non-secret id of the key (for logs and idempotency scoping). */
  id: string;
  scope: ApiKeyScope;
  digest: Buffer;
}

export const MIN_API_KEY_LENGTH = 16;

/**
 * Parses `API_KEYS` entries, `<key>` or `<key>:read`. Several keys may be valid at once so a key can
 * be rotated: add the new one, move clients over, remove the old one. Throws on weak keys.
 */
export function parseApiKeys(entries: readonly string[]): ApiKey[] {
  return entries.map((entry, index) => {
    const match = entry.match(/^(.*?)(?::(admin|read))?$/)!;
    const secret = match[1]!;
    if (secret.length < MIN_API_KEY_LENGTH) {
      throw new Error(`API_KEYS entry ${index + 1} is shorter than ${MIN_API_KEY_LENGTH} characters`);
    }
    const digest = createHash('sha256').update(secret).digest();
    return { id: digest.subarray(0, 4).toString('hex'), scope: (match[2] as ApiKeyScope) ?? 'admin', digest };
  });
}

export interface AuthenticatedLocals {
  apiKey: ApiKey;
}

/**
 * `Authorization: Bearer <key>` or the seed's `x-api-key: <key>`. 401 for a missing or unknown key,
 * 403 for a read-only key asking to change something. Keys are compared as digests in constant time.
 */
export function apiKeyAuth(keys: readonly ApiKey[]): RequestHandler {
  return (req, res, next) => {
    if (keys.length === 0) {
      return next(new AppError('UNAUTHORIZED', 'The Rooms API is disabled: no API_KEYS are configured'));
    }
    const header = req.get('authorization');
    const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? req.get('x-api-key')?.trim();
    if (!presented)
      return next(new AppError('UNAUTHORIZED', 'Missing API key (Authorization: Bearer <key>)'));
    const candidate = createHash('sha256').update(presented).digest();
    // Compare with every key so the time taken does not tell which one was close.
    let found: ApiKey | undefined;
    for (const key of keys) if (timingSafeEqual(key.digest, candidate)) found = key;
    if (!found) return next(new AppError('UNAUTHORIZED', 'Invalid API key'));
    if (found.scope === 'read' && req.method !== 'GET' && req.method !== 'HEAD') {
      return next(new AppError('FORBIDDEN', 'This API key may only read'));
    }
    (res.locals as AuthenticatedLocals).apiKey = found;
    return next();
  };
}
