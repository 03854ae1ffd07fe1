import { AppError } from '@gamebuddies/protocol';
import type { IdempotencyStore, SavedResponse } from '@gamebuddies/rooms';
import type { TokenSealer } from './tokenEncryption.js';

/**
 * An idempotency store whose remembered answers are sealed: a create's answer holds the host token,
 * and tokens are never kept in plaintext (docs/state.md). The replay opens the envelope and returns
 * the same answer, host token included.
 */
export function sealedIdempotency(inner: IdempotencyStore, sealer: TokenSealer): IdempotencyStore {
  const context = (key: string, fingerprint: string) => `idempotency:${key}:${fingerprint}`;
  return {
    async begin(key, fingerprint) {
      const state = await inner.begin(key, fingerprint);
      if (state.state !== 'done') return state;
      const sealed = (state.response.body as { sealed?: unknown } | null)?.sealed;
      const opened = typeof sealed === 'string' ? sealer.open(sealed, context(key, fingerprint)) : undefined;
      if (opened === undefined) {
        throw new AppError(
          'CONFLICT',
          'The answer remembered for this Idempotency-Key cannot be read (the encryption key changed); use a new Idempotency-Key',
        );
      }
      return { state: 'done', response: { status: state.response.status, body: opened } };
    },
    complete(key, fingerprint, response: SavedResponse) {
      return inner.complete(key, fingerprint, {
        status: response.status,
        body: { sealed: sealer.seal(response.body, context(key, fingerprint)) },
      });
    },
    abandon: (key) => inner.abandon(key),
  };
}
