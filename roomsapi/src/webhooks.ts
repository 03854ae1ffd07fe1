import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';

/** What GameBuddies hears about (the seed's integration points). */
export type WebhookEventType =
  | 'room.ready'
  | 'room.closed'
  | 'room.phase_changed'
  | 'room.returned_to_lobby'
  | 'player.joined'
  | 'player.left'
  | 'player.status'
  | 'game.finished';

export interface WebhookEvent {
  /** Unique per event: receivers use it to ignore a redelivery. */
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: Record<string, unknown> & { roomCode: string };
}

export const SIGNATURE_HEADER = 'x-gamebuddies-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed too, so a
 * receiver can refuse replays of old deliveries.
 */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** What a receiver does: true when the signature matches and is not older than `toleranceSeconds`. */
export function verifyWebhook(secret: string, body: string, header: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isFinite(timestamp) || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per event, the first included. */
  maxAttempts?: number;
  /** First retry delay; doubles each time (with jitter) up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Events waiting beyond this are dropped, oldest first: a dead receiver must not eat memory. */
  maxQueue?: number;
  concurrency?: number;
  onOutcome?: (outcome: 'delivered' | 'failed' | 'dropped', type: WebhookEventType) => void;
}

interface Pending {
  event: WebhookEvent;
  attempt: number;
  notBefore: number;
}

/**
 * Sends events to GameBuddies in the background: `send` only queues, so the game never waits for
 * the receiver. A room's events are delivered one at a time in the order they happened; rooms go in
 * parallel. Retries with exponential back-off on network errors, timeouts, 408, 429 and 5xx;
 * other 4xx answers are final. Delivery is at least once and not kept across restarts.
 */
export class WebhookSender {
  private readonly queue: Pending[] = [];
  /** Rooms with a delivery under way: a room's events go out one at a time, in order. */
  private readonly busyRooms = new Set<string>();
  private active = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly options: Required<Omit<WebhookOptions, 'onOutcome'>> & Pick<WebhookOptions, 'onOutcome'>;

  constructor(
    options: WebhookOptions,
    private readonly log: Logger,
  ) {
    this.options = {
      maxAttempts: 8,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      timeoutMs: 5000,
      maxQueue: 10_000,
      concurrency: 4,
      ...options,
    };
  }

  send(type: WebhookEventType, data: WebhookEvent['data']): WebhookEvent {
    const event: WebhookEvent = { id: randomUUID(), type, createdAt: new Date().toISOString(), data };
    if (this.closed) return event;
    if (this.queue.length >= this.options.maxQueue) {
      const dropped = this.queue.shift()!;
      this.log.warn(
        { type: dropped.event.type, id: dropped.event.id },
        'webhook queue full: dropped oldest event',
      );
      this.options.onOutcome?.('dropped', dropped.event.type);
    }
    this.queue.push({ event, attempt: 0, notBefore: 0 });
    this.pump();
    return event;
  }

  get pending(): number {
    return this.queue.length + this.active;
  }

  /** Stops taking events; waits up to `graceMs` for those under way and queued now. */
  async close(graceMs = 2000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending > 0 && Date.now() < deadline && this.queue.every((p) => p.notBefore <= deadline)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    while (this.active < this.options.concurrency) {
      // The first waiting event of each room only: later ones wait behind it, even through retries.
      const seen = new Set<string>();
      const index = this.queue.findIndex((p) => {
        const room = p.event.data.roomCode;
        const first = !seen.has(room);
        seen.add(room);
        return first && !this.busyRooms.has(room) && p.notBefore <= now;
      });
      if (index < 0) break;
      const [next] = this.queue.splice(index, 1);
      const room = next!.event.data.roomCode;
      this.active++;
      this.busyRooms.add(room);
      void this.deliver(next!).finally(() => {
        this.active--;
        this.busyRooms.delete(room);
        this.pump();
      });
    }
    if (this.timer) clearTimeout(this.timer);
    const wake = Math.min(
      ...this.queue.filter((p) => !this.busyRooms.has(p.event.data.roomCode)).map((p) => p.notBefore),
    );
    if (Number.isFinite(wake)) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, wake - now));
      this.timer.unref();
    }
  }

  private async deliver(pending: Pending): Promise<void> {
    const { event } = pending;
    pending.attempt++;
    const body = JSON.stringify(event);
    let retry: boolean;
    let detail: string;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GameBuddies-Rooms-Webhooks/1',
          'x-gamebuddies-event': event.type,
          'x-gamebuddies-delivery': event.id,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) {
        this.options.onOutcome?.('delivered', event.type);
        return;
      }
      retry = response.status >= 500 || response.status === 408 || response.status === 429;
      detail = `HTTP ${response.status}`;
    } catch (error) {
      retry = true;
      detail = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
    }
    if (retry && pending.attempt < this.options.maxAttempts && !this.closed) {
      const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (pending.attempt - 1));
      pending.notBefore = Date.now() + delay * (0.5 + Math.random() / 2);
      this.queue.unshift(pending); // stays ahead of its room's later events
      this.log.debug(
        { type: event.type, id: event.id, attempt: pending.attempt, detail },
        'webhook retry scheduled',
      );
      return;
    }
    this.log.warn(
      { type: event.type, id: event.id, attempts: pending.attempt, detail },
      'webhook not delivered',
    );
    this.options.onOutcome?.('failed', event.type);
  }
}
