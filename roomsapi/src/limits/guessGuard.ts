import type { RateLimits } from './rateLimits.js';

/** One try at a room: what happened to it decides whether it counts against the address. */
export interface GuessTry {
  /** False: refused before anything was looked up (the address has no budget left). */
  readonly allowed: boolean;
  /** The room was reached: the try does not count, and the address may come back to it freely. */
  succeeded(code: string): Promise<void>;
  /** An unknown code, a wrong token, a malformed request: it counts. */
  failed(): Promise<void>;
  /** Neither (the room is full, the store is away...): it does not count. */
  released(): Promise<void>;
}

const REFUSED: GuessTry = {
  allowed: false,
  succeeded: async () => undefined,
  failed: async () => undefined,
  released: async () => undefined,
};

/**
 * The rule for everything a stranger could use to find rooms (joins by code, `/r/:code` lookups),
 * per client address (the one TRUST_PROXY yields):
 *
 * - a try with a credential (a session or host token) is never refused: a valid token gets in
 *   whatever others at the same address did; a wrong one counts as a failure;
 * - a try without one, at a room code the address has not reached before, takes a token from the
 *   address's budget first (so parallel guesses cannot outrun it) and gets it back unless it failed;
 *   with none left it is refused before the room is looked up, so it learns nothing;
 * - a code the address has reached (joined, or looked up) is no guess: tried again freely, so the
 *   household whose guest mistyped codes still joins the room it plays in.
 */
export class GuessGuard {
  constructor(private readonly limits: RateLimits) {}

  async begin(address: string, code: string | null, credential: boolean): Promise<GuessTry> {
    const known = !credential && code !== null && (await this.limits.knownRooms.has(address, code));
    const reserved = !credential && !known;
    if (reserved && !(await this.limits.guesses.take(address))) return REFUSED;
    const { guesses, knownRooms } = this.limits;
    return {
      allowed: true,
      async succeeded(room) {
        if (reserved) await guesses.refund(address);
        await knownRooms.add(address, room);
      },
      async failed() {
        if (!reserved) await guesses.take(address);
      },
      async released() {
        if (reserved) await guesses.refund(address);
      },
    };
  }
}
