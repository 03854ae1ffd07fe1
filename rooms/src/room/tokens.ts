import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from '@gamebuddies/protocol';

/** 256 random bits, URL-safe: host and session tokens. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Player ids are shown to everyone in the room, so they need not be secret, only unique. */
export function newPlayerId(): string {
  return `p_${randomBytes(9).toString('base64url')}`;
}

/**
 * Chat line ids need only be unique, never secret (every member sees them). A random prefix per
 * process and a counter: each crypto `randomBytes` call costs a system call (OpenSSL checks for a
 * fork), and a chat line is the hottest write there is (see docs/performance.md). Six characters
 * (36 bits) keep an id under 13 characters for its first two billion lines, so V8 stores it as one
 * flat string, not a pair joined (a room keeps 100 lines).
 */
const messageIdPrefix = randomBytes(6).toString('base64url').slice(0, 6);
let messageCounter = 0;

export function newMessageId(): string {
  messageCounter = (messageCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${messageIdPrefix}${messageCounter.toString(36)}`;
}

/** Tokens are stored hashed: a copy of the store does not let anyone take a seat. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Random, never sequential: a code must not tell anyone what the next one is. */
export function newRoomCode(): string {
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}
