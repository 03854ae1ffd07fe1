import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;

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
 * so two candidates can never both win. A stopping leader gives the lease up at once.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly status: Gauge;
  private leading = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private observed?: { holder: string; renewTime: string; at: number };
  private lastRenewal = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: LeaderElectionOptions,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.status = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers: [registry],
    });
    this.status.set({ name: options.name }, 0);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.round();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    try {
      const acquired = await this.tryAcquireOrRenew();
      if (acquired) {
        this.lastRenewal = Date.now();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading) {
        this.setLeading(false);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'leader election round failed');
      if (this.leading && Date.now() - this.lastRenewal > this.options.renewDeadlineMs)
        this.setLeading(false);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.round(), this.options.retryPeriodMs);
      this.timer.unref();
    }
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.status.set({ name: this.options.name }, leading ? 1 : 0);
    this.log.info(
      { identity: this.options.identity, lease: this.options.name },
      leading ? 'became leader' : 'stopped leading',
    );
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const now = new Date();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now() };
    }
    const expired =
      this.observed.at + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < Date.now();
    if (holder && holder !== identity && !expired) return false;
    const transition = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(now),
      acquireTime: microTime(transition ? now : spec.acquireTime),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (transition ? 1 : 0),
    };
    // The resourceVersion read above makes this a compare-and-swap: a rival's update makes it fail.
    await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    return true;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: microTime(new Date(0)),
        acquireTime: microTime(lease.spec.acquireTime),
      };
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (error) {
      this.log.warn({ err: error }, 'could not release the leader lease');
    }
  }
}
