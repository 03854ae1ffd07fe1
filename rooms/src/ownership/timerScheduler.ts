import type { Logger } from '../logger.js';
import type { RoomRecord } from '../room/roomRecord.js';

/** setTimeout's ceiling; later timers are re-armed when this one fires. */
const MAX_DELAY_MS = 2_147_000_000;
const RETRY_MS = 1000;

/**
 * Arms one Node timer per room, for the room's earliest stored timer. The timers themselves are
 * data in the room, so this is only a wake-up: whichever server runs the room next re-arms them.
 */
export class RoomTimerScheduler {
  private readonly armed = new Map<string, { fireAt: number; handle: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly fireDue: (code: string) => Promise<RoomRecord | null>,
    private readonly log: Logger,
  ) {}

  schedule(room: RoomRecord): void {
    if (this.stopped) return;
    const next = room.timers.reduce((min, t) => Math.min(min, t.fireAt), Infinity);
    const current = this.armed.get(room.code);
    if (current?.fireAt === next) return;
    if (current) clearTimeout(current.handle);
    if (next === Infinity) {
      this.armed.delete(room.code);
      return;
    }
    this.arm(room.code, next, Math.max(0, next - Date.now()));
  }

  cancel(code: string): void {
    const current = this.armed.get(code);
    if (current) clearTimeout(current.handle);
    this.armed.delete(code);
  }

  get size(): number {
    return this.armed.size;
  }

  stop(): void {
    this.stopped = true;
    for (const { handle } of this.armed.values()) clearTimeout(handle);
    this.armed.clear();
  }

  private arm(code: string, fireAt: number, delay: number): void {
    const handle = setTimeout(() => void this.fire(code), Math.min(delay, MAX_DELAY_MS));
    handle.unref();
    this.armed.set(code, { fireAt, handle });
  }

  private async fire(code: string): Promise<void> {
    this.armed.delete(code);
    try {
      const room = await this.fireDue(code);
      if (room) this.schedule(room);
    } catch (error) {
      // The store may be briefly unavailable; the timer is still stored, so try again shortly.
      this.log.warn({ err: error, room: code }, 'room timer failed; retrying');
      if (!this.stopped) this.arm(code, Date.now() + RETRY_MS, RETRY_MS);
    }
  }
}
