import type { Request, Response } from 'express';
import { AppError } from '@gamebuddies/protocol';
import type { Logger } from 'pino';
import type { ConsoleSource } from './consoleSource.js';

interface Subscriber {
  res: Response;
  room: string | undefined;
  lastOverview?: string;
  lastRoom?: string;
}

const KEEPALIVE_MS = 15_000;
const MIN_GAP_MS = 250;

/**
 * Server-sent events for live consoles, bounded so a console never loads a busy server: one reader
 * per process, at most one picture per tick whatever the number of consoles (each watched room read
 * once per tick too), a bounded number of streams, and a console is sent only what changed.
 */
export class ConsoleFeed {
  private readonly subscribers = new Set<Subscriber>();
  private timer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private lastTick = 0;
  private running = false;
  private pending = false;

  constructor(
    private readonly source: ConsoleSource,
    private readonly log: Logger,
    private readonly options: { tickMs: number; maxStreams: number; onStreams?: (open: number) => void },
  ) {}

  subscribe(req: Request, res: Response, room: string | undefined): void {
    if (this.subscribers.size >= this.options.maxStreams) {
      throw new AppError('UNAVAILABLE', 'Too many live consoles on this server; try again later');
    }
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const subscriber: Subscriber = { res, room };
    this.subscribers.add(subscriber);
    this.options.onStreams?.(this.subscribers.size);
    req.on('close', () => {
      this.subscribers.delete(subscriber);
      this.options.onStreams?.(this.subscribers.size);
      if (this.subscribers.size === 0) this.stop();
    });
    this.start();
    this.poke();
  }

  /**
   * Something changed (an action, a new console): send a fresh picture soon rather than at the next
   * tick. Pokes are merged: at most one extra read per MIN_GAP_MS, however many consoles open at once.
   */
  poke(): void {
    if (this.subscribers.size === 0 || this.soon) return;
    const wait = Math.max(0, this.lastTick + Math.min(MIN_GAP_MS, this.options.tickMs) - Date.now());
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.tick();
    }, wait);
    this.soon.unref();
  }

  close(): void {
    this.stop();
    for (const subscriber of this.subscribers) subscriber.res.end();
    this.subscribers.clear();
    this.options.onStreams?.(0);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
    this.keepalive = setInterval(() => {
      for (const s of this.subscribers) s.res.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  private stop(): void {
    clearTimeout(this.soon);
    this.soon = undefined;
    clearInterval(this.timer);
    clearInterval(this.keepalive);
    this.timer = undefined;
    this.keepalive = undefined;
  }

  private async tick(): Promise<void> {
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = true;
    this.lastTick = Date.now();
    try {
      const overview = await this.source.overview().catch((error: unknown) => {
        this.log.warn({ err: error }, 'console: could not read the overview');
        return undefined;
      });
      const rooms = new Map<string, string>();
      for (const code of new Set([...this.subscribers].map((s) => s.room).filter((c) => c !== undefined))) {
        const detail = await this.source.room(code).then(
          (room) => JSON.stringify(room),
          (error: unknown) =>
            JSON.stringify({
              code,
              gone: true,
              error: error instanceof AppError ? error.toBody() : undefined,
            }),
        );
        rooms.set(code, detail);
      }
      const overviewJson = overview ? JSON.stringify({ ...overview, at: undefined }) : undefined;
      for (const s of this.subscribers) {
        if (overview && overviewJson !== s.lastOverview) {
          s.lastOverview = overviewJson;
          s.res.write(`event: overview\ndata: ${JSON.stringify(overview)}\n\n`);
        }
        const room = s.room ? rooms.get(s.room) : undefined;
        if (room !== undefined && room !== s.lastRoom) {
          s.lastRoom = room;
          s.res.write(`event: room\ndata: ${room}\n\n`);
        }
      }
    } finally {
      this.running = false;
    }
    if (this.pending) {
      this.pending = false;
      this.poke();
    }
  }
}
