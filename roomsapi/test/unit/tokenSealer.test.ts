import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { MemoryIdempotencyStore } from '@gamebuddies/rooms';
import { sealedIdempotency, TokenSealer } from '../../src/index.js';

describe('sealed idempotent answers', () => {
  const body = { roomCode: 'ABC123', hostToken: 'host-token-0123456789abcdefghij' };

  it('keeps no token in the clear, and replays the same answer', async () => {
    const inner = new MemoryIdempotencyStore();
    const store = sealedIdempotency(inner, new TokenSealer([randomBytes(32)]));
    expect(await store.begin('k', 'f')).toEqual({ state: 'new' });
    await store.complete('k', 'f', { status: 201, body });
    const kept = await inner.begin('k', 'f');
    expect(JSON.stringify(kept)).not.toContain(body.hostToken);
    expect(await store.begin('k', 'f')).toEqual({ state: 'done', response: { status: 201, body } });
  });

  it('opens with an older key while keys rotate; refuses another entry and other keys', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const sealed = new TokenSealer([oldKey]).seal(body, 'entry-1');
    expect(new TokenSealer([newKey, oldKey]).open(sealed, 'entry-1')).toEqual(body);
    expect(new TokenSealer([newKey, oldKey]).open(sealed, 'entry-2')).toBeUndefined();
    expect(new TokenSealer([newKey]).open(sealed, 'entry-1')).toBeUndefined();
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(new TokenSealer([oldKey]).open(tampered, 'entry-1')).toBeUndefined();
  });

  it('answers CONFLICT when the remembered answer cannot be opened any more', async () => {
    const inner = new MemoryIdempotencyStore();
    await sealedIdempotency(inner, new TokenSealer([randomBytes(32)])).complete('k', 'f', {
      status: 201,
      body,
    });
    await expect(
      sealedIdempotency(inner, new TokenSealer([randomBytes(32)])).begin('k', 'f'),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
