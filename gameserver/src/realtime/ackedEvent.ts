import type { z } from 'zod';
import {
  AppError,
  describeZodError,
  toAppError,
  type Ack,
  type ClientToServerEvents,
} from '@gamebuddies/protocol';
import type { Logger } from '@gamebuddies/rooms';
import type { GameMetrics } from '../metrics/gameMetrics.js';
import type { InflightTracker } from './inflight.js';
import type { GameSocket } from './types.js';

export interface AckedEventDeps {
  metrics: GameMetrics;
  inflight: InflightTracker;
  log: Logger;
}

/** A socket listener shared by every socket of a namespace: the socket is `this`. */
export type SharedListener = (this: GameSocket, ...args: unknown[]) => void;

/**
 * Every client event goes through here: it must carry an ack, it spends the socket's rate budget,
 * its payload is validated, and it is answered `{ ok: true, version }` once `handle` has finished
 * (the change is saved) or `{ ok: false, error }` with a typed error. Nothing thrown escapes.
 *
 * The listener is built once per namespace and event, and the socket is read from `this` (Node's
 * EventEmitter calls a listener on its emitter): a connection costs one entry in its socket's
 * listener table, not a closure and a scope per event (see docs/performance.md).
 */
export function ackedEventListener<S extends z.ZodType>(
  deps: AckedEventDeps,
  event: keyof ClientToServerEvents,
  schema: S,
  handle: (socket: GameSocket, payload: z.infer<S>) => Promise<{ version: number }>,
): SharedListener {
  const { metrics, inflight, log } = deps;
  return function (this: GameSocket, payload: unknown, ack: unknown) {
    listen(this, payload, ack);
  };

  function listen(socket: GameSocket, payload: unknown, ack: unknown): void {
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
      .run(() => handle(socket, parsed.data))
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
  }
}

/** The same, for one socket (a listener of its own). */
export function onAckedEvent<S extends z.ZodType>(
  socket: GameSocket,
  deps: AckedEventDeps,
  event: keyof ClientToServerEvents,
  schema: S,
  handle: (payload: z.infer<S>) => Promise<{ version: number }>,
): void {
  socket.on(event, ackedEventListener(deps, event, schema, (_socket, payload) => handle(payload)) as never);
}
