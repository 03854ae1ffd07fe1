import { AsyncLocalStorage } from 'node:async_hooks';

/** A write attempted by work that began under a leadership term which has since ended. */
export class NotLeaderError extends Error {
  constructor() {
    super('not the leader (the leadership term this work began in has ended)');
    this.name = 'NotLeaderError';
  }
}

export const isNotLeader = (error: unknown): error is NotLeaderError => error instanceof NotLeaderError;

/**
 * Ties a reconcile to the leadership term it started in. `run` remembers the term (through every
 * await of the reconcile), and every write the leader makes calls `assert` first: once the term has
 * ended — lost, or lost and won again — the rest of that reconcile cannot write, so an allocation
 * decided under the old term is never made.
 */
export class LeaderFence {
  private readonly context = new AsyncLocalStorage<number>();

  /** `currentTerm()`: the running term's number, or undefined while this replica does not lead. */
  constructor(private readonly currentTerm: () => number | undefined) {}

  /** A fence for a replica that always leads (leader election off). */
  static always(): LeaderFence {
    return new LeaderFence(() => 0);
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    const term = this.currentTerm();
    if (term === undefined) return Promise.reject(new NotLeaderError());
    return this.context.run(term, work);
  }

  assert(): void {
    const term = this.context.getStore();
    if (term === undefined || this.currentTerm() !== term) throw new NotLeaderError();
  }
}
