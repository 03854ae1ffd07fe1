import type { z } from 'zod';
import {
  AppError,
  describeZodError,
  toAppError,
  type Ack,
  type ClientToServerEvents,
} from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { GameMetrics } from '../metrics/gameMetrics.js';
import type { InflightTracker } from './inflight.js';
import type { GameSocket } from './types.js';

export interface AckedEventDeps {
  metrics: GameMetrics;
  inflight: InflightTracker;
  log: Logger;
}

/**
 * Every client event goes through here: it must carry an ack, it spends the socket's rate budget,
 * its payload is validated, and it is answered `{ ok: true, version }` once `handle` has finished
 * (the change is saved) or `{ ok: false, error }` with a typed error. Nothing thrown escapes.
 */
export function onAckedEvent<S extends z.ZodType>(
  socket: GameSocket,
  deps: AckedEventDeps,
  event: keyof ClientToServerEvents,
  schema: S,
  handle: (payload: z.infer<S>) => Promise<{ version: number }>,
): void {
  const { metrics, inflight, log } = deps;
  socket.on(event, (payload: unknown, ack: unknown) => {
    // A client that sent no payload passes its ack first.
    if (typeof payload === 'function' && ack === undefined) [payload, ack] = [{}, payload];
    if (typeof ack !== 'function') {
      metrics.rejectedEvents.inc({ code: 'NO_ACK' });
      return;
    }
    const reply = ack as (response: Ack) => void;
    const fail = (error: AppError) => {
      metrics.rejectedEvents.inc({ code: error.code });
      reply({ ok: false, error: error.toBody() });
    };
    if (!socket.data.actions.take()) return fail(new AppError('RATE_LIMITED', 'Slow down'));
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return fail(new AppError('BAD_REQUEST', describeZodError(parsed.error)));
    const started = performance.now();
    void inflight
      .run(() => handle(parsed.data))
      .then(
        ({ version }) => {
          metrics.broadcastLatency.observe({ event }, (performance.now() - started) / 1000);
          reply({ ok: true, version });
        },
        (error: unknown) => {
          const appError = toAppError(error);
          if (appError.code === 'INTERNAL')
            log.error({ err: error, room: socket.data.roomCode, event }, 'event failed');
          fail(appError);
        },
      );
  });
}
