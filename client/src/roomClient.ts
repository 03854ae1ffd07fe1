import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  PlayerJoined,
  RoomJoined,
  RoomSnapshot,
  RtcSignal,
  ServerToClientEvents,
} from '@gamebuddies/protocol';

/**
 * Joins a room and keeps the seat: reconnects by itself with the session token, and follows the room
 * when it moves to another server (it looks the room up again before every reconnect). Plain
 * socket.io-client and fetch, no DOM, so it runs in a page and in Node alike.
 */

export interface TokenStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface RoomClientOptions {
  /** Where `GET /r/:code` answers (the page's origin, or the Rooms API). */
  baseUrl: string;
  /**
   * Where the room is already known to be (a lookup the page made, the server a join link led to):
   * the first attempt connects there without asking `baseUrl`. If that server does not hold the
   * room, the client looks it up and goes where it is.
   */
  server?: RoomLocation | undefined;
  roomCode: string;
  /** Needed only for a new seat. */
  name?: string | undefined;
  /** A host token (from the join link) or a session token. */
  token?: string | undefined;
  /**
   * Keeps the session token, keyed by room code, so the seat comes back after a reload or a closed
   * tab (localStorage in a page); memory by default.
   */
  storage?: TokenStorage;
  /** Reconnect delays: doubled on every failed attempt up to the cap, reset by a successful join. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  transports?: Array<'websocket' | 'polling'>;
}

/** How one connection ended. `again`: the assumed server was the wrong place; look up at once. */
interface AttemptOutcome {
  joined: boolean;
  fatal?: ClosedInfo;
  detail?: string;
  again?: boolean;
}

/** `offline`: the device says it has no network (see `networkChanged`); the client waits for it. */
export type RoomClientStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** Why the client gave up: a join refusal code, `room_closed:<reason>`, `replaced` or `left`. */
export interface ClosedInfo {
  reason: string;
  message: string;
}

/**
 * NOT_CONNECTED: nothing was sent (offline or reconnecting). TIMEOUT: sent but not answered in time;
 * a game action sent with its turn cannot land later on another turn (the server refuses it stale).
 */
export type SendResult = Ack | { ok: false; error: { code: 'NOT_CONNECTED' | 'TIMEOUT'; message: string } };

interface Events {
  state: (room: RoomSnapshot) => void;
  status: (status: RoomClientStatus, detail?: string) => void;
  joined: (joined: RoomJoined) => void;
  closed: (info: ClosedInfo) => void;
  signal: (signal: RtcSignal) => void;
}

/** A game server's URL and the room's game namespace (`/rps`): what `GET /r/:code` answers. */
export interface RoomLocation {
  url: string;
  namespace: string;
}

type GameSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const STABLE_SESSION_MS = 3000;

/** Refusals that another attempt cannot fix. */
const FATAL_JOIN_ERRORS = new Set(['ROOM_NOT_FOUND', 'ROOM_FULL', 'INVALID_TOKEN', 'BAD_REQUEST']);
/**
 * What a server that was only assumed to hold the room says when it does not (a wrong game's
 * namespace says ROOM_NOT_FOUND too): another server may hold it. The lookup decides instead.
 */
const WRONG_PLACE_ERRORS = new Set(['ROOM_NOT_FOUND', 'ROOM_MOVED']);

export class RoomClient {
  room: RoomSnapshot | null = null;
  playerId: string | null = null;
  status: RoomClientStatus = 'connecting';

  private socket: GameSocket | null = null;
  private token: string | undefined;
  /** Tokens to try for the first join, best first: the stored session, then the link's token. */
  private firstTokens: Array<string | undefined>;
  private joinedOnce = false;
  private stopped = false;
  private lastUrl: string | null = null;
  /** `options.server`, until the first attempt has used it. */
  private assumed: RoomLocation | null;
  private readonly listeners: { [E in keyof Events]: Array<Events[E]> } = {
    state: [],
    status: [],
    joined: [],
    closed: [],
    signal: [],
  };
  private readonly storage: TokenStorage;
  private readonly storageKey: string;
  private wake: (() => void) | null = null;
  private networkDown = false;

  constructor(private readonly options: RoomClientOptions) {
    this.storage = options.storage ?? memoryStorage();
    this.storageKey = `gb:session:${options.roomCode.toUpperCase()}`;
    const stored = this.storage.get(this.storageKey) ?? undefined;
    const tokens = [stored, options.token].filter((t): t is string => !!t);
    this.firstTokens = [...new Set(tokens)];
    // With a name, a fresh seat is the last resort when no token works any more.
    if (options.name || this.firstTokens.length === 0) this.firstTokens.push(undefined);
    this.token = this.firstTokens[0];
    this.assumed = options.server ?? null;
  }

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    this.listeners[event].push(listener);
    return () => {
      this.listeners[event] = this.listeners[event].filter((l) => l !== listener) as never;
    };
  }

  /** Resolves on the first `room:joined`; rejects with the reason if the room refuses for good. */
  start(): Promise<RoomJoined> {
    const first = new Promise<RoomJoined>((resolve, reject) => {
      const offJoined = this.on('joined', (joined) => {
        offJoined();
        offClosed();
        resolve(joined);
      });
      const offClosed = this.on('closed', (info) => {
        offJoined();
        offClosed();
        reject(Object.assign(new Error(info.message), { code: info.reason }));
      });
    });
    void this.run();
    return first;
  }

  get role(): 'host' | 'player' | null {
    return this.room?.players.find((p) => p.id === this.playerId)?.role ?? null;
  }

  async send(event: keyof ClientToServerEvents, payload: object = {}, timeoutMs = 8000): Promise<SendResult> {
    const socket = this.socket;
    if (!socket?.connected || this.status !== 'connected') {
      const message = this.networkDown
        ? 'You are offline: nothing was sent.'
        : 'Not connected right now: nothing was sent. Reconnecting…';
      return { ok: false, error: { code: 'NOT_CONNECTED', message } };
    }
    try {
      // Untyped here: every client event has the same (payload, ack) shape.
      return (await (socket as Socket).timeout(timeoutMs).emitWithAck(event, payload)) as Ack;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer' } };
    }
  }

  /**
   * Sends a game action for the turn the player sees (the room's `turn`), so the server applies it
   * at most once and never to a later turn. `anyTurn` for actions that name what they act on
   * themselves (a Bingo mark names its cell).
   */
  act(
    action: { type: string; [key: string]: unknown },
    options: { anyTurn?: boolean } = {},
  ): Promise<SendResult> {
    const turn = this.room?.turn;
    const withTurn = !options.anyTurn && typeof turn === 'number' ? { ...action, turn } : action;
    return this.send('game:action', withTurn);
  }

  /**
   * The device's network went away or came back (a page passes the browser's `offline`/`online`
   * events). Offline drops the connection at once, so the player sees it and nothing is sent into the
   * void; online reconnects at once instead of waiting out the backoff. The heartbeat still catches a
   * network that dies without the device noticing.
   */
  networkChanged(online: boolean): void {
    if (this.stopped || online === !this.networkDown) return;
    this.networkDown = !online;
    if (!online) {
      this.socket?.disconnect();
      this.setStatus('offline');
    }
    this.wake?.();
  }

  signal(to: string, data: Record<string, unknown>): Promise<SendResult> {
    return this.send('rtc:signal', { to, data });
  }

  /** Leaves the seat for good. */
  async leave(): Promise<void> {
    await this.send('room:leave');
    this.storage.remove(this.storageKey);
    this.stop({ reason: 'left', message: 'You left the room' });
  }

  /** Drops the connection but keeps the seat (for its grace window). */
  close(): void {
    this.stop({ reason: 'closed', message: 'Disconnected' });
  }

  private emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of this.listeners[event])
      (listener as (...a: Parameters<Events[E]>) => void)(...args);
  }

  private setStatus(status: RoomClientStatus, detail?: string): void {
    this.status = status;
    this.emit('status', status, detail);
  }

  private stop(info: ClosedInfo): void {
    if (this.stopped) return;
    this.stopped = true;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.wake?.();
    this.setStatus('closed', info.message);
    this.emit('closed', info);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const started = Date.now();
      const outcome = await this.attempt();
      if (this.stopped) return;
      if (outcome.fatal) return this.stop(outcome.fatal);
      if (outcome.again) continue;
      // A seat held for a while means the way back works; a join that drops at once counts as a failure.
      if (outcome.joined && Date.now() - started > STABLE_SESSION_MS) failures = 0;
      else failures++;
      if (this.networkDown) {
        this.setStatus('offline');
        failures = 0;
        await this.sleep(60_000); // woken by networkChanged(true)
        continue;
      }
      this.setStatus('reconnecting', outcome.detail);
      // Right after a good session (a server said goodbye) go at once; after failures, back off.
      if (failures > 0) await this.sleep(this.delay(failures));
    }
  }

  private delay(failures: number): number {
    const initial = this.options.initialDelayMs ?? 250;
    const max = this.options.maxDelayMs ?? 8000;
    const exact = Math.min(max, initial * 2 ** (failures - 1));
    return exact / 2 + Math.random() * (exact / 2); // jitter: a fleet's players do not return in step
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Where the room is served now: asks the base URL, then the last server that held it. */
  private async locate(): Promise<RoomLocation | { fatal: ClosedInfo } | null> {
    const bases = [this.options.baseUrl, this.lastUrl].filter(
      (b, i, all): b is string => !!b && all.indexOf(b) === i,
    );
    for (const base of bases) {
      try {
        const response = await fetch(`${base}/r/${encodeURIComponent(this.options.roomCode)}`, {
          headers: { accept: 'application/json' },
        });
        if (response.status === 404) {
          return {
            fatal: { reason: 'ROOM_NOT_FOUND', message: `Room ${this.options.roomCode} does not exist` },
          };
        }
        if (!response.ok) continue;
        const body = (await response.json()) as Partial<RoomLocation>;
        if (typeof body.url === 'string' && typeof body.namespace === 'string') {
          return { url: body.url, namespace: body.namespace };
        }
      } catch {
        // That address is unreachable (its server may be the one that went away): try the next.
      }
    }
    return null;
  }

  /** One connection, from lookup to its end. */
  private async attempt(): Promise<AttemptOutcome> {
    const assumed = this.assumed;
    this.assumed = null;
    const location = assumed ?? (await this.locate());
    if (this.stopped) return { joined: false };
    if (!location) return { joined: false, detail: 'looking for the room' };
    if ('fatal' in location) return { joined: false, fatal: location.fatal };
    this.lastUrl = location.url;

    return new Promise((resolve) => {
      let joined = false;
      let goodbye = false; // the server announced its shutdown: its disconnect is a move, not a takeover
      const socket: GameSocket = io(`${location.url}${location.namespace}`, {
        auth: (cb) =>
          cb({
            roomCode: this.options.roomCode,
            ...(this.options.name ? { name: this.options.name } : {}),
            ...(this.token ? { token: this.token } : {}),
          }),
        reconnection: false,
        forceNew: true,
        timeout: 8000,
        transports: this.options.transports ?? ['websocket', 'polling'],
      });
      this.socket = socket;
      const end = (result: AttemptOutcome) => {
        socket.removeAllListeners();
        socket.disconnect();
        if (this.socket === socket) this.socket = null;
        resolve(result);
      };

      socket.on('connect_error', (err: Error & { data?: { message?: string } }) => {
        const code = err.message;
        const message = err.data?.message ?? code;
        if (code === 'INVALID_TOKEN' && !this.joinedOnce && this.firstTokens.length > 1) {
          // The stored session expired or the link's token is stale: try the next way in.
          this.firstTokens.shift();
          this.token = this.firstTokens[0];
          this.assumed = assumed; // that server holds the room: the next way in goes there too
          return end({ joined: false, detail: 'trying another way in' });
        }
        if (assumed && WRONG_PLACE_ERRORS.has(code)) {
          return end({ joined: false, detail: 'looking for the room', again: true });
        }
        if (FATAL_JOIN_ERRORS.has(code)) {
          if (code === 'INVALID_TOKEN') this.storage.remove(this.storageKey);
          return end({ joined: false, fatal: { reason: code, message } });
        }
        // An assumed server that cannot be reached (no answer, so no `data`) may simply not be where
        // the room is any more. A refusal it did answer (busy, draining) is waited out as usual.
        end({ joined: false, detail: message, again: assumed !== null && err.data === undefined });
      });
      socket.on('room:joined', (payload) => {
        joined = true;
        this.joinedOnce = true;
        this.token = payload.sessionToken;
        this.storage.set(this.storageKey, payload.sessionToken);
        this.playerId = payload.playerId;
        this.room = payload.room;
        this.setStatus('connected');
        this.emit('joined', payload);
        this.emit('state', payload.room);
      });
      const applySnapshot = (snapshot: RoomSnapshot) => {
        if (this.room && snapshot.version < this.room.version) return;
        this.room = snapshot;
        this.emit('state', snapshot);
      };
      socket.on('room:state', applySnapshot);
      // A join is one frame that carries the new snapshot; there is no `room:state` after it. A server
      // from before that change (a rolling upgrade) sends no `room` here and a `room:state` after it.
      socket.on('player:joined', (joined: Partial<PlayerJoined>) => {
        if (joined.room) applySnapshot(joined.room);
      });
      socket.on('chat:message', ({ message, version }) => {
        if (!this.room) return;
        const chat = [...this.room.chat, message].slice(-100);
        this.room = { ...this.room, chat, version: Math.max(version, this.room.version) };
        this.emit('state', this.room);
      });
      socket.on('rtc:signal', (signal) => this.emit('signal', signal));
      socket.on('server:shutdown', () => {
        goodbye = true;
      });
      socket.on('room:closed', ({ reason }) => {
        this.storage.remove(this.storageKey);
        end({ joined, fatal: { reason: `room_closed:${reason}`, message: closedMessage(reason) } });
      });
      socket.on('disconnect', (reason) => {
        // The server cut us off without a goodbye: a newer tab took the seat, or the seat is gone.
        // Coming back would fight that tab, so this one stops.
        if (reason === 'io server disconnect' && !goodbye) {
          return end({
            joined,
            fatal: { reason: 'replaced', message: 'This seat is now used in another window' },
          });
        }
        end({ joined, detail: goodbye ? 'the server is moving the room' : 'connection lost' });
      });
    });
  }
}

function closedMessage(reason: string): string {
  switch (reason) {
    case 'kicked':
      return 'The host removed you from the room';
    case 'server_shutdown':
      return 'The server shut down and the room ended';
    case 'deleted':
      return 'The room was closed';
    default:
      return `The room ended (${reason})`;
  }
}

export function memoryStorage(): TokenStorage {
  const map = new Map<string, string>();
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
}
