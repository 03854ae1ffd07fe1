import type { Logger } from '@gamebuddies/rooms';
import type { AgonesSdk } from './agonesSdk.js';

export const PLAYERS_COUNTER = 'players';

/**
 * Publishes this server's connected players to its GameServer's `players` Counter, for fleet
 * autoscaling and the Rooms API's server list. The SDK batches Counter changes about once a second,
 * so the value is sent at most that often and only when it changed.
 */
export class LoadReporter {
  private timer?: NodeJS.Timeout;
  private last = -1;
  private warned = false;

  constructor(
    private readonly sdk: AgonesSdk,
    private readonly players: () => number,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.report(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async report(): Promise<void> {
    const players = this.players();
    if (players === this.last) return;
    try {
      await this.sdk.setCounterCount(PLAYERS_COUNTER, players);
      this.last = players;
    } catch (error) {
      // A GameServer without the Counter (an older Fleet) is not an error worth repeating.
      if (!this.warned) this.log.warn({ err: error }, `could not publish the ${PLAYERS_COUNTER} Counter`);
      this.warned = true;
    }
  }
}
