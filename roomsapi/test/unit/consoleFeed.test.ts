import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import pino from 'pino';
import type { ConsoleOverview, ConsoleRoomDetail } from '@gamebuddies/protocol';
import { ConsoleFeed } from '../../src/console/consoleFeed.js';
import type { ConsoleSource } from '../../src/console/consoleSource.js';

// Live consoles must never load a busy server: however many are open, the store is read once per
// tick (and each watched room once), and a console is sent only what changed. Fake clock.

const TICK_MS = 1000;

class CountingSource implements ConsoleSource {
  overviews = 0;
  rooms: string[] = [];
  version = 1;
  async overview(): Promise<ConsoleOverview> {
    this.overviews++;
    return { at: Date.now(), servers: [], rooms: [], truncated: false, actions: [] };
  }
  async room(code: string): Promise<ConsoleRoomDetail> {
    this.rooms.push(code);
    return { code, version: this.version } as unknown as ConsoleRoomDetail;
  }
  close = async () => undefined;
  kick = async () => undefined;
  setHost = async () => undefined;
  move = async () => undefined;
  drain = async () => undefined;
}

function stream(): { req: Request; res: Response; sent: string[]; hangUp(): void } {
  const req = new EventEmitter() as unknown as Request;
  const sent: string[] = [];
  const res = {
    status: () => res,
    set: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => sent.push(chunk),
    end: () => undefined,
  } as unknown as Response;
  return { req, res, sent, hangUp: () => (req as unknown as EventEmitter).emit('close') };
}

const events = (sent: string[], name: string) => sent.filter((s) => s.startsWith(`event: ${name}`)).length;

let source: CountingSource;
let feed: ConsoleFeed;

beforeEach(() => {
  jest.useFakeTimers();
  source = new CountingSource();
  feed = new ConsoleFeed(source, pino({ level: 'silent' }), { tickMs: TICK_MS, maxStreams: 20 });
});

afterEach(() => {
  feed.close();
  jest.useRealTimers();
});

describe('the console feed', () => {
  it('reads once per tick for twenty consoles, each watched room once, and sends only changes', async () => {
    const consoles = Array.from({ length: 20 }, () => stream()).map((s, i) => {
      feed.subscribe(s.req, s.res, i % 2 === 0 ? 'AAAAAA' : 'BBBBBB');
      return s;
    });
    await jest.advanceTimersByTimeAsync(10 * TICK_MS);
    // One read for the consoles opening together, then one per tick: never one per console.
    expect(source.overviews).toBeLessThanOrEqual(11);
    expect(source.rooms.length).toBeLessThanOrEqual(2 * 11);
    for (const c of consoles) {
      expect(events(c.sent, 'overview')).toBe(1);
      expect(events(c.sent, 'room')).toBe(1);
    }
    source.version = 2;
    await jest.advanceTimersByTimeAsync(TICK_MS);
    for (const c of consoles) expect(events(c.sent, 'room')).toBe(2);
  });

  it('refuses a console beyond its bound and stops reading when the last one leaves', async () => {
    const consoles = Array.from({ length: 20 }, () => stream());
    for (const c of consoles) feed.subscribe(c.req, c.res, undefined);
    const extra = stream();
    expect(() => feed.subscribe(extra.req, extra.res, undefined)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
    await jest.advanceTimersByTimeAsync(TICK_MS);
    for (const c of consoles) c.hangUp();
    const reads = source.overviews;
    await jest.advanceTimersByTimeAsync(10 * TICK_MS);
    expect(source.overviews).toBe(reads);
  });

  it('merges the pokes of many actions into one extra read', async () => {
    const c = stream();
    feed.subscribe(c.req, c.res, undefined);
    await jest.advanceTimersByTimeAsync(TICK_MS / 2);
    const reads = source.overviews;
    for (let i = 0; i < 50; i++) feed.poke();
    await jest.advanceTimersByTimeAsync(TICK_MS / 4);
    expect(source.overviews - reads).toBeLessThanOrEqual(1);
  });
});
