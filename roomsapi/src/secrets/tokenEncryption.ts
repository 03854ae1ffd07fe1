import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

const KEY_BYTES = 32;

function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === KEY_BYTES ? key : undefined;
  }
  return undefined;
}

/**
 * What a process needs to know to decide whether it must have TOKEN_ENCRYPTION_KEY: a Rooms API
 * (keys) with a shared store (Redis) keeps idempotent answers, host tokens included, in Redis.
 */
export function tokenEncryptionProblems(e: {
  TOKEN_ENCRYPTION_KEY?: TokenSealer | undefined;
  API_KEYS?: string[] | undefined;
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string[] | undefined;
  REDIS_CLUSTER_NODES?: string[] | undefined;
}): string[] {
  const redis =
    Boolean(e.REDIS_URL) || Boolean(e.REDIS_SENTINELS?.length) || Boolean(e.REDIS_CLUSTER_NODES?.length);
  if (redis && (e.API_KEYS?.length ?? 0) > 0 && !e.TOKEN_ENCRYPTION_KEY) {
    return [
      'TOKEN_ENCRYPTION_KEY: required with API_KEYS and Redis: the answers of idempotent room creations, host tokens included, are kept encrypted in Redis (generate one with: openssl rand -base64 32; every replica needs the same)',
    ];
  }
  return [];
}

/**
 * AES-256-GCM envelopes for values that hold tokens and must be kept somewhere shared:
 * `v1.<key id>.<iv>.<ciphertext+tag>` (base64url). `context` is authenticated too, so an envelope
 * copied to another entry does not open there.
 */
export class TokenSealer {
  // A true private field: the keys never appear in JSON.stringify(config) or a logged object.
  readonly #keys: Array<{ id: string; key: Buffer }>;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('TokenSealer needs at least one key');
    this.#keys = keys.map((key) => ({ id: createHash('sha256').update(key).digest('hex').slice(0, 8), key }));
  }

  toJSON(): string {
    return '[hidden]';
  }

  /** A key of this process only, for answers kept in its own memory. */
  static ephemeral(): TokenSealer {
    return new TokenSealer([randomBytes(KEY_BYTES)]);
  }

  seal(value: unknown, context: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([
      cipher.update(JSON.stringify(value), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return ['v1', id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The value, or undefined when no key opens it (rotated away, tampered with, another context). */
  open(sealed: string, context: string): unknown {
    const [version, id, iv, body] = sealed.split('.');
    const entry = this.#keys.find((k) => k.id === id);
    if (version !== 'v1' || !entry || !iv || !body) return undefined;
    try {
      const data = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      return undefined;
    }
  }
}

/**
 * TOKEN_ENCRYPTION_KEY: 32 random bytes as base64 or hex (`openssl rand -base64 32`), or several
 * separated by commas while a key is rotated: the first encrypts, every one decrypts. Read into a
 * TokenSealer, whose keys never show in a log line or JSON.
 */
export const TokenEncryptionKeysEnv = z.string().transform((raw, ctx): TokenSealer => {
  const keys: Buffer[] = [];
  for (const [index, entry] of raw.split(',').entries()) {
    const key = decodeKey(entry.trim());
    if (!key) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} is not 32 bytes in base64 or hex (generate one with: openssl rand -base64 32)`,
      });
      return z.NEVER;
    }
    keys.push(key);
  }
  return new TokenSealer(keys);
});
