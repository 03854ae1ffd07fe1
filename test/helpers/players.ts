import { io, type Socket } from 'socket.io-client';
import type { Ack, RoomJoined, RoomSnapshot, ServerToClientEvents } from '@gamebuddies/protocol';

type EventName = keyof ServerToClientEvents;
type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** A real socket.io-client player that records everything it receives. */
export class TestPlayer {
  readonly received: Array<{ event: string; payload: any }> = [];
  joined?: RoomJoined;
  latest?: RoomSnapshot;

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      if (event === 'room:joined') {
        this.joined = payload as RoomJoined;
        this.latest = this.joined.room;
      }
      if (event === 'room:state') this.latest = payload as RoomSnapshot;
      if (event === 'player:joined') this.latest = (payload as { room: RoomSnapshot }).room;
    });
  }

  static create(
    baseUrl: string,
    auth: { roomCode: string; name?: string; token?: string } | Record<string, unknown>,
    opts: { gameType?: string; transports?: string[]; from?: string; headers?: Record<string, string> } = {},
  ): TestPlayer {
    const socket = io(`${baseUrl}/${opts.gameType ?? 'rps'}`, {
      auth,
      transports: opts.transports ?? ['websocket'],
      // A player on another machine: its own loopback address (127.0.0.2, ...).
      ...(opts.from ? { localAddress: opts.from } : {}),
      ...(opts.headers ? { extraHeaders: opts.headers } : {}),
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    return new TestPlayer(socket);
  }

  /** Connects and resolves with `room:joined`; rejects with the connect_error. */
  static async join(
    baseUrl: string,
    auth: { roomCode: string; name?: string; token?: string },
    opts: { gameType?: string; transports?: string[]; from?: string; headers?: Record<string, string> } = {},
  ): Promise<TestPlayer> {
    const player = TestPlayer.create(baseUrl, auth, opts);
    await player.next('room:joined');
    return player;
  }

  /** Resolves with the connect_error a refused join produces. */
  static async refused(
    baseUrl: string,
    auth: Record<string, unknown>,
    opts: { gameType?: string; from?: string; headers?: Record<string, string> } = {},
  ) {
    const player = TestPlayer.create(baseUrl, auth, opts);
    try {
      return await new Promise<{ message: string; data: any }>((resolve, reject) => {
        player.socket.once('connect_error', (err: Error & { data?: unknown }) =>
          resolve({ message: err.message, data: err.data }),
        );
        player.socket.once('connect', () => reject(new Error('connected although a refusal was expected')));
      });
    } finally {
      player.close();
    }
  }

  get id(): string {
    return this.joined!.playerId;
  }

  get sessionToken(): string {
    return this.joined!.sessionToken;
  }

  /** Waits for the next event of that name (after those already received) matching `where`. */
  next<E extends EventName>(
    event: E,
    where: (payload: EventPayload<E>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EventPayload<E>> {
    const start = this.received.length;
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = start; i < this.received.length; i++) {
          const entry = this.received[i]!;
          if (entry.event === event && where(entry.payload)) {
            cleanup();
            resolve(entry.payload);
            return;
          }
        }
      };
      const onError = (err: Error) => {
        if (event === 'room:joined') {
          cleanup();
          reject(Object.assign(new Error(`connect_error ${err.message}`), { cause: err }));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out waiting for ${event}`));
      }, timeoutMs);
      const listener = () => setImmediate(check);
      const cleanup = () => {
        clearTimeout(timer);
        this.socket.offAny(listener);
        this.socket.off('connect_error', onError);
      };
      this.socket.onAny(listener);
      this.socket.on('connect_error', onError);
      check();
    });
  }

  /** Any event of that name received so far (or from now on) matching `where`. */
  async seen<E extends EventName>(
    event: E,
    where: (payload: EventPayload<E>) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<EventPayload<E>> {
    const found = this.received.find((entry) => entry.event === event && where(entry.payload));
    return found ? found.payload : this.next(event, where, timeoutMs);
  }

  emit(event: string, payload?: unknown, timeoutMs = 5000): Promise<Ack> {
    return this.socket.timeout(timeoutMs).emitWithAck(event, payload);
  }

  /** Resolves when the server closes the connection. */
  disconnected(timeoutMs = 5000): Promise<string> {
    if (!this.socket.connected) return Promise.resolve('already');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still connected')), timeoutMs);
      this.socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}
