import type { GameRegistry, Logger, RoomOwnership, RoomStore, RoomTimerScheduler } from '@gamebuddies/rooms';
import type { AgonesLifecycle } from '../agones/agonesLifecycle.js';
import type { InflightTracker } from '../realtime/inflight.js';
import type { GameServerIO } from '../realtime/types.js';

export interface ShutdownParts {
  log: Logger;
  io: GameServerIO;
  games: GameRegistry;
  store: RoomStore;
  inflight: InflightTracker;
  ownership: RoomOwnership;
  scheduler: RoomTimerScheduler;
  shutdownTimeoutMs: number;
  /** Stops taking rooms and players (readiness answers 503 from now on). */
  startDraining(): void;
  /** What else holds resources: limiters, the Rooms API, webhooks, the Redis adapter; closed in order. */
  close: Array<() => void | Promise<void>>;
  agones?: AgonesLifecycle | undefined;
}

/**
 * The order of a clean shutdown: stop taking work, tell the players (they rejoin elsewhere when rooms
 * are in Redis), let writes they were promised an answer for finish, hand the room leases back, close
 * everything, and under Agones call Shutdown last. Calling it again returns the same promise.
 */
export function gracefulShutdown(parts: ShutdownParts): () => Promise<void> {
  let running: Promise<void> | undefined;
  const { log, io, games, store, inflight } = parts;
  const namespaces = () => games.list().map((plugin) => io.of(`/${plugin.gameType}`));
  return () =>
    (running ??= (async () => {
      parts.startDraining();
      log.info({ sockets: io.engine.clientsCount }, 'shutting down: no new rooms or players');
      for (const nsp of namespaces()) {
        // Only this server's sockets: with a shared adapter, other servers' players are not ours to tell.
        if (store.durable) nsp.local.emit('server:shutdown', { reconnect: true });
        else nsp.local.emit('room:closed', { reason: 'server_shutdown' });
      }
      if (!(await inflight.idle(parts.shutdownTimeoutMs))) log.warn('shutdown: gave up waiting for writes');
      for (const nsp of namespaces()) nsp.local.disconnectSockets(true);
      await inflight.idle(parts.shutdownTimeoutMs);
      // Leases go last: until the final writes are done this server still runs its rooms' timers.
      await parts.ownership.stop();
      parts.scheduler.stop();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      for (const close of parts.close) await close();
      await store.close();
      // Last: Agones deletes this GameServer, and the operator moves any room still assigned here.
      await parts.agones?.stop();
      log.info('shut down');
    })());
}
