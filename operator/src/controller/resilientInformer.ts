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
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly handlers: Array<(event: InformerEvent, obj: T) => void> = [];
  private failures = 0;
  private stopped = false;
  private synced = false;
  private restartTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;

  constructor(
    kubeConfig: KubeConfig,
    readonly path: string,
    list: ListPromise<T>,
    private readonly log: Logger,
    private readonly resyncMs = 5 * 60_000,
  ) {
    this.informer = makeInformer(kubeConfig, path, list);
    this.informer.on(ADD, (obj) => this.emit('add', obj));
    this.informer.on(UPDATE, (obj) => this.emit('update', obj));
    this.informer.on(DELETE, (obj) => this.emit('delete', obj));
    this.informer.on(ERROR, (error: unknown) => this.restart(error));
  }

  on(handler: (event: InformerEvent, obj: T) => void): void {
    this.handlers.push(handler);
  }

  /** Resolves after the first successful list (the cache is warm). */
  async start(): Promise<void> {
    this.stopped = false;
    for (;;) {
      try {
        await this.informer.start();
        this.failures = 0;
        this.synced = true;
        break;
      } catch (error) {
        if (this.stopped) return;
        const delay = this.backoff();
        this.log.warn({ err: error, path: this.path, retryInMs: delay }, 'informer could not list; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.resyncTimer = setInterval(() => {
      for (const obj of this.list()) this.emit('update', obj);
    }, this.resyncMs);
    this.resyncTimer.unref();
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
    await this.informer.stop().catch(() => undefined);
  }

  private emit(event: InformerEvent, obj: T): void {
    for (const handler of this.handlers) handler(event, obj);
  }

  private restart(error: unknown): void {
    if (this.stopped || this.restartTimer) return;
    const delay = this.backoff();
    this.log.warn(
      { err: error, path: this.path, retryInMs: delay },
      'informer stopped on an error; restarting',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.informer.start().then(
        () => {
          this.failures = 0;
          this.log.info({ path: this.path }, 'informer restarted');
        },
        (err: unknown) => this.restart(err),
      );
    }, delay);
    this.restartTimer.unref();
  }

  private backoff(): number {
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures);
    this.failures++;
    return delay * (0.8 + Math.random() * 0.4);
  }
}
