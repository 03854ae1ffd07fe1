import {
  ADD,
  DELETE,
  ERROR,
  UPDATE,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export type InformerEvent = 'add' | 'update' | 'delete';

/**
 * A watch-backed cache that keeps itself alive. client-node's informer stops on any list or watch
 * error other than 410 Gone and has no periodic resync; this one restarts with exponential back-off
 * and resyncs (every object handed to the handlers again) on an interval, as client-go's does.
 *
 * Synced means a list succeeded: client-node's `start()` resolves even when its list failed (it only
 * reports the error), so the list function is wrapped and the cache counts as warm only after it
 * has answered. Until then `/readyz` says not ready instead of serving an empty cache.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly handlers: Array<(event: InformerEvent, obj: T) => void> = [];
  private failures = 0;
  private stopped = false;
  private synced = false;
  private listed = false;
  private whenSynced?: () => void;
  private restartTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;

  constructor(
    kubeConfig: KubeConfig,
    readonly path: string,
    list: ListPromise<T>,
    private readonly log: Logger,
    private readonly resyncMs = 5 * 60_000,
    private readonly backoffMs = { min: MIN_BACKOFF_MS, max: MAX_BACKOFF_MS },
  ) {
    this.informer = makeInformer(kubeConfig, path, async () => {
      const answer = await list();
      this.listed = true;
      return answer;
    });
    this.informer.on(ADD, (obj) => this.emit('add', obj));
    this.informer.on(UPDATE, (obj) => this.emit('update', obj));
    this.informer.on(DELETE, (obj) => this.emit('delete', obj));
    this.informer.on(ERROR, (error: unknown) => this.restart(error));
  }

  on(handler: (event: InformerEvent, obj: T) => void): void {
    this.handlers.push(handler);
  }

  /** Resolves after the first successful list (the cache is warm); failed lists are retried. */
  start(): Promise<void> {
    this.stopped = false;
    const synced = new Promise<void>((resolve) => (this.whenSynced = resolve));
    this.attempt();
    return synced;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.whenSynced?.();
    await this.informer.stop().catch(() => undefined);
  }

  private emit(event: InformerEvent, obj: T): void {
    for (const handler of this.handlers) handler(event, obj);
  }

  /** One start of the informer; a failed list or watch reaches `restart` through the ERROR event. */
  private attempt(): void {
    this.listed = false;
    this.informer.start().then(
      () => {
        if (this.stopped || !this.listed) return; // the list failed: ERROR has scheduled a retry
        this.failures = 0;
        if (!this.synced) this.markSynced();
        else this.log.info({ path: this.path }, 'informer restarted');
      },
      (error: unknown) => this.restart(error),
    );
  }

  private markSynced(): void {
    this.synced = true;
    this.whenSynced?.();
    this.resyncTimer = setInterval(() => {
      for (const obj of this.list()) this.emit('update', obj);
    }, this.resyncMs);
    this.resyncTimer.unref();
  }

  private restart(error: unknown): void {
    if (this.stopped || this.restartTimer) return;
    const delay = this.backoff();
    this.log.warn(
      { err: error, path: this.path, retryInMs: Math.round(delay), synced: this.synced },
      this.synced ? 'informer stopped on an error; restarting' : 'informer could not list; retrying',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.attempt();
    }, delay);
    this.restartTimer.unref();
  }

  private backoff(): number {
    const delay = Math.min(this.backoffMs.max, this.backoffMs.min * 2 ** this.failures);
    this.failures++;
    return delay * (0.8 + Math.random() * 0.4);
  }
}
