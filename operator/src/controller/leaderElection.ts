import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { timeoutMiddleware } from '../kube/timedClient.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  /** Leadership was lost (not given up by stop()): whatever this replica does as leader must end now. */
  onStoppedLeading: () => void;
}

/** The three Lease calls, each bounded by `timeoutMs` (a hung request must not outlive the renew deadline). */
export interface LeaseApi {
  read(namespace: string, name: string, timeoutMs: number): Promise<V1Lease>;
  create(namespace: string, lease: V1Lease, timeoutMs: number): Promise<V1Lease>;
  replace(namespace: string, name: string, lease: V1Lease, timeoutMs: number): Promise<V1Lease>;
}

export function kubeLeaseApi(kubeConfig: KubeConfig): LeaseApi {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const within = (ms: number) => ({
    middleware: [timeoutMiddleware(Math.max(1, Math.floor(ms)))],
    middlewareMergeStrategy: 'append' as const,
  });
  return {
    read: (namespace, name, ms) => api.readNamespacedLease({ name, namespace }, within(ms)),
    create: (namespace, body, ms) => api.createNamespacedLease({ namespace, body }, within(ms)),
    replace: (namespace, name, body, ms) => api.replaceNamespacedLease({ name, namespace, body }, within(ms)),
  };
}

/** Why a set of lease timings cannot keep one leader; empty when they can. */
export function leaseTimingProblems(t: {
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}): string[] {
  const problems: string[] = [];
  // The leader must have stopped acting (renew deadline) before a rival may take over (lease
  // duration), and must get more than one try at renewing within the deadline (retry period).
  if (!(t.leaseDurationSeconds * 1000 > t.renewDeadlineMs)) {
    problems.push(
      `LEASE_DURATION_SECONDS (${t.leaseDurationSeconds} s) must be longer than RENEW_DEADLINE_MS (${t.renewDeadlineMs} ms)`,
    );
  }
  if (!(t.renewDeadlineMs > t.retryPeriodMs)) {
    problems.push(
      `RENEW_DEADLINE_MS (${t.renewDeadlineMs} ms) must be longer than RETRY_PERIOD_MS (${t.retryPeriodMs} ms)`,
    );
  }
  return problems;
}

const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;

/**
 * Settles by `ms` whatever `request` does: the request is also told its timeout, but a round must end
 * on time even if a request ignores it (or the abort is lost), or the next round would never start.
 */
function bounded<T>(request: (ms: number) => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lease request timed out after ${Math.round(ms)} ms`)), ms);
  });
  return Promise.race([request(ms), late]).finally(() => clearTimeout(timer));
}
/** Monotonic: a wall-clock step must not extend or cut short a leadership term. */
const now = () => performance.now();

/**
 * Lease times are MicroTime (six fractional digits); client-node would send a Date with three, which
 * the API server refuses. A string passes through its serializer untouched.
 */
function microTime(date: Date | string | undefined): Date | undefined {
  if (date === undefined) return undefined;
  const iso = new Date(date).toISOString();
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}

/**
 * Lease-based leader election, as client-go does it: the holder renews a coordination.k8s.io Lease;
 * others take it over only when they have seen no renewal for a whole lease duration (measured on
 * their own clock, so clock skew between nodes does not matter). Updates carry the resourceVersion,
 * so two candidates can never both win.
 *
 * One owner at every instant: a term lasts until the start of the last successful renewal plus the
 * renew deadline, which is shorter than the lease duration a rival waits. A timer ends the term on
 * time whatever the Lease requests are doing (hung, or the process was paused), every request is
 * aborted before the term would end, and `holdsLease()` answers from the clock, so a write checked
 * against it after a pause is refused even before the timer has had a chance to run.
 */
export class LeaderElector {
  private readonly api: LeaseApi;
  private readonly status: Gauge;
  private leading = false;
  private stopped = true;
  private inRound = false;
  private timer?: NodeJS.Timeout;
  private stepDownTimer?: NodeJS.Timeout;
  private observed?: { holder: string; renewTime: string; at: number };
  /** When the last successful acquire/renew was started (monotonic ms). */
  private termStart = 0;
  /** Counts terms won, so work begun in one term is told apart from work of the next. */
  private term = 0;

  constructor(
    kubeConfigOrApi: KubeConfig | LeaseApi,
    private readonly options: LeaderElectionOptions,
    registry: Registry,
    private readonly log: Logger,
  ) {
    const problems = leaseTimingProblems(options);
    if (problems.length) throw new Error(`leader election timings: ${problems.join('; ')}`);
    this.api = 'read' in kubeConfigOrApi ? kubeConfigOrApi : kubeLeaseApi(kubeConfigOrApi);
    this.status = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers: [registry],
    });
    this.status.set({ name: options.name }, 0);
  }

  get isLeader(): boolean {
    return this.holdsLease();
  }

  /** True only while this replica's term runs: checked before every write a leader makes. */
  holdsLease(): boolean {
    return this.leading && now() < this.termStart + this.options.renewDeadlineMs;
  }

  /** The running term's number, or undefined while not leading (see LeaderFence). */
  currentTerm(): number | undefined {
    return this.holdsLease() ? this.term : undefined;
  }

  start(): void {
    this.stopped = false;
    void this.round();
  }

  /** Gives the lease up (shutdown): the standby need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.stepDownTimer) clearTimeout(this.stepDownTimer);
    if (this.leading) {
      this.leading = false;
      this.status.set({ name: this.options.name }, 0);
      await this.release();
    }
  }

  private async round(): Promise<void> {
    if (this.stopped || this.inRound) return;
    this.inRound = true;
    const started = now();
    try {
      const acquired = await this.tryAcquireOrRenew(started);
      if (this.stopped) return;
      if (this.leading && started >= this.termStart + this.options.renewDeadlineMs) {
        // The term ended before this renewal began (the process was paused): what it started must
        // end first; the next round begins a new term.
        this.lose('the lease was not renewed within the renew deadline');
      } else if (acquired) {
        this.termStart = started;
        this.armStepDown();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading) {
        this.lose('another replica holds the lease');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'leader election round failed');
    } finally {
      this.inRound = false;
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.round(), this.options.retryPeriodMs);
      this.timer.unref();
    }
  }

  private armStepDown(): void {
    if (this.stepDownTimer) clearTimeout(this.stepDownTimer);
    const left = this.termStart + this.options.renewDeadlineMs - now();
    this.stepDownTimer = setTimeout(
      () => {
        if (this.leading && !this.holdsLease())
          this.lose('the lease was not renewed within the renew deadline');
        else if (this.leading) this.armStepDown();
      },
      Math.max(0, left),
    );
    this.stepDownTimer.unref();
  }

  private lose(reason: string): void {
    if (this.stepDownTimer) clearTimeout(this.stepDownTimer);
    this.log.warn({ identity: this.options.identity, lease: this.options.name, reason }, 'lost leadership');
    this.setLeading(false);
  }

  private setLeading(leading: boolean): void {
    if (leading) this.term++;
    this.leading = leading;
    this.status.set({ name: this.options.name }, leading ? 1 : 0);
    this.log.info(
      { identity: this.options.identity, lease: this.options.name },
      leading ? 'became leader' : 'stopped leading',
    );
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  /** The time a request may take: while leading, never past the end of the current term. */
  private budget(started: number): number {
    const { renewDeadlineMs } = this.options;
    if (!this.leading) return renewDeadlineMs;
    return Math.max(1, this.termStart + renewDeadlineMs - started);
  }

  private async tryAcquireOrRenew(started: number): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const deadline = started + this.budget(started);
    const left = () => Math.max(1, deadline - now());
    const wall = new Date();
    let lease: V1Lease;
    try {
      lease = await bounded((ms) => this.api.read(namespace, name, ms), left());
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await bounded(
        (ms) =>
          this.api.create(
            namespace,
            {
              metadata: { name, namespace },
              spec: {
                holderIdentity: identity,
                leaseDurationSeconds,
                acquireTime: microTime(wall),
                renewTime: microTime(wall),
                leaseTransitions: 0,
              },
            },
            ms,
          ),
        left(),
      );
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: now() };
    }
    const expired = this.observed.at + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < now();
    if (holder && holder !== identity && !expired) return false;
    const transition = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(wall),
      acquireTime: microTime(transition ? wall : spec.acquireTime),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (transition ? 1 : 0),
    };
    // The resourceVersion read above makes this a compare-and-swap: a rival's update makes it fail.
    await bounded((ms) => this.api.replace(namespace, name, lease, ms), left());
    return true;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity, renewDeadlineMs } = this.options;
    try {
      const lease = await bounded((ms) => this.api.read(namespace, name, ms), renewDeadlineMs);
      if (lease.spec?.holderIdentity !== identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: microTime(new Date(0)),
        acquireTime: microTime(lease.spec.acquireTime),
      };
      await bounded((ms) => this.api.replace(namespace, name, lease, ms), renewDeadlineMs);
    } catch (error) {
      this.log.warn({ err: error }, 'could not release the leader lease');
    }
  }
}
