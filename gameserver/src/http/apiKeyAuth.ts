import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `Authorization: Bearer <key>` or the seed's `x-api-key: <key>`. Keys are compared as digests in
 * constant time; several keys may be valid at once so they can be rotated.
 */
export function apiKeyAuth(keys: readonly string[]): RequestHandler {
  const digests = keys.map(digest);
  return (req, _res, next) => {
    if (digests.length === 0) {
      return next(new AppError('UNAUTHORIZED', 'The Rooms API is disabled: no API_KEYS are configured'));
    }
    const header = req.get('authorization');
    const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? req.get('x-api-key')?.trim();
    if (!presented)
      return next(new AppError('UNAUTHORIZED', 'Missing API key (Authorization: Bearer <key>)'));
    const candidate = digest(presented);
    // Check every key so timing does not tell which one was close.
    let valid = false;
    for (const known of digests) valid = timingSafeEqual(known, candidate) || valid;
    return valid ? next() : next(new AppError('UNAUTHORIZED', 'Invalid API key'));
  };
}
