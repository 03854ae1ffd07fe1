import { describe, expect, it } from '@jest/globals';
import { ROOM_CODE_ALPHABET, normalizeRoomCode } from '@gamebuddies/protocol';
import { hashToken, newRoomCode, newSecretToken, sameHash } from '../../src/room/tokens.js';

describe('room codes', () => {
  it('never use look-alike characters', () => {
    for (const c of '01OIL') expect(ROOM_CODE_ALPHABET).not.toContain(c);
  });

  it('are 6 random characters from the alphabet, spread over it', () => {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const code = newRoomCode();
      expect(normalizeRoomCode(code)).toBe(code);
      seen.add(code);
      for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBeGreaterThan(4990);
    // 30,000 characters over 31 symbols: each should appear roughly 968 times.
    for (const c of ROOM_CODE_ALPHABET) expect(counts.get(c)).toBeGreaterThan(700);
  });

  it('are normalized from what people type', () => {
    expect(normalizeRoomCode(' abcdef ')).toBe('ABCDEF');
    expect(normalizeRoomCode('ABCDE0')).toBeNull();
    expect(normalizeRoomCode('ABCDEFG')).toBeNull();
    expect(normalizeRoomCode(42)).toBeNull();
  });
});

describe('tokens', () => {
  it('carry 256 random bits and are compared by hash', () => {
    const token = newSecretToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newSecretToken()).not.toBe(token);
    expect(sameHash(hashToken(token), hashToken(token))).toBe(true);
    expect(sameHash(hashToken(token), hashToken(newSecretToken()))).toBe(false);
    expect(sameHash(hashToken(token), '')).toBe(false);
  });
});
