/**
 * A load-generator process: runs the simulated players it is given and reports every second to the
 * coordinator over IPC. All players of a room live in the same worker, so a chat message's send time
 * and its receive times are read from one clock.
 */
import { RoomClient } from '@gamebuddies/client';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { Histogram } from './histogram.js';
import type { FromWorker, PlayerSpec, StartMessage, Tick, ToWorker } from './workerProtocol.js';

const now = () => performance.timeOrigin + performance.now();
/** Prefix of the load generator's chat messages: `lt:<send time ms>:<padding>`. */
const MARK = 'lt:';

interface SimPlayer {
  /** Sends one chat message carrying its send time; resolves with the ack's error code or null. */
  chat(text: string): Promise<string | null>;
  close(): void;
}

const joinHist = new Histogram();
const ackHist = new Histogram();
const deliveryHist = new Histogram();
const counters = {
  connected: 0,
  joined: 0,
  joinFailures: 0,
  sent: 0,
  acked: 0,
  deliveries: 0,
  /** For every acknowledged message, the players of its room connected when the ack came. */
  expectedDeliveries: 0,
  disconnects: 0,
};
/** Connected players per room code: who an acknowledged message must reach. */
const connectedInRoom = new Map<string, number>();

function connectedChange(roomCode: string, delta: 1 | -1): void {
  counters.connected += delta;
  connectedInRoom.set(roomCode, (connectedInRoom.get(roomCode) ?? 0) + delta);
}
const ackErrors: Record<string, number> = {};
const firstErrors: string[] = [];
const players: SimPlayer[] = [];
const timers = new Set<NodeJS.Timeout>();
let closing = false;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

function noteError(text: string): void {
  if (firstErrors.length < 10) firstErrors.push(text);
}

function delivered(text: string): void {
  if (!text.startsWith(MARK)) return;
  const sentAt = Number(text.slice(MARK.length, text.indexOf(':', MARK.length)));
  counters.deliveries++;
  deliveryHist.record(now() - sentAt);
}

function tick(final: boolean): Tick {
  const message: Tick = {
    type: 'tick',
    final,
    at: Date.now(),
    ...counters,
    ackErrors: { ...ackErrors },
    join: joinHist.toJSON(),
    ack: ackHist.toJSON(),
    delivery: deliveryHist.toJSON(),
    firstErrors: [...firstErrors],
  };
  joinHist.reset();
  ackHist.reset();
  deliveryHist.reset();
  return message;
}

/** Our game server, through the repository's client library (lookup, join, session token). */
function gamebuddiesPlayer(spec: PlayerSpec, game: string): SimPlayer {
  const started = now();
  const client = new RoomClient({
    baseUrl: spec.url,
    server: spec.server ? { url: spec.server, namespace: `/${game}` } : undefined,
    roomCode: spec.roomCode,
    name: `p${spec.index}`,
    token: spec.token,
    transports: ['websocket'],
    initialDelayMs: 500,
  });
  let joined = false;
  let lastSeen: string | undefined;
  client.on('joined', (payload) => {
    lastSeen = payload.room.chat.at(-1)?.id;
  });
  // A chat:message becomes a 'state' with the message appended: count what is new since the last one.
  client.on('state', (room) => {
    const chat = room.chat;
    let i = chat.length - 1;
    while (i >= 0 && chat[i]!.id !== lastSeen) i--;
    if (i < 0 && lastSeen !== undefined && chat.length >= 100) i = chat.length - 2; // history rolled over
    for (let j = i + 1; j < chat.length; j++) delivered(chat[j]!.text);
    lastSeen = chat.at(-1)?.id ?? lastSeen;
  });
  client.on('status', (status, detail) => {
    if (status === 'reconnecting' && joined && !closing) {
      counters.disconnects++;
      connectedChange(spec.roomCode, -1);
      joined = false;
      noteError(`p${spec.index} disconnected: ${detail ?? ''}`);
    }
    if (status === 'connected' && !joined) {
      joined = true;
      connectedChange(spec.roomCode, 1);
    }
  });
  client.start().then(
    () => {
      counters.joined++;
      joinHist.record(now() - started);
    },
    (error: Error & { code?: string }) => {
      counters.joinFailures++;
      noteError(`p${spec.index} could not join ${spec.roomCode}: ${error.code ?? ''} ${error.message}`);
    },
  );
  return {
    async chat(text) {
      const ack = await client.send('room:chat', { text });
      return ack.ok ? null : ack.error.code;
    },
    close: () => client.close(),
  };
}

/** The plain Socket.IO relay (bench/): same events, same payloads, no rooms service behind them. */
function socketIoPlayer(spec: PlayerSpec, game: string): SimPlayer {
  const started = now();
  const socket: Socket = io(`${spec.url}/${game}`, {
    auth: { roomCode: spec.roomCode, name: `p${spec.index}` },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  let joined = false;
  socket.once('room:joined', () => {
    joined = true;
    counters.joined++;
    connectedChange(spec.roomCode, 1);
    joinHist.record(now() - started);
  });
  socket.on('chat:message', ({ message }: { message: { text: string } }) => delivered(message.text));
  socket.on('connect_error', (error) => {
    counters.joinFailures++;
    noteError(`p${spec.index}: ${error.message}`);
  });
  socket.on('disconnect', (reason) => {
    if (closing) return;
    if (joined) connectedChange(spec.roomCode, -1);
    counters.disconnects++;
    noteError(`p${spec.index} disconnected: ${reason}`);
  });
  return {
    async chat(text) {
      if (!socket.connected) return 'NOT_CONNECTED';
      try {
        const ack = (await socket.timeout(8000).emitWithAck('room:chat', { text })) as {
          ok: boolean;
          error?: { code: string };
        };
        return ack.ok ? null : (ack.error?.code ?? 'ERROR');
      } catch {
        return 'TIMEOUT';
      }
    },
    close: () => socket.disconnect(),
  };
}

/** The plain `ws` relay (bench/): JSON frames, an id per message for the ack. */
function wsPlayer(spec: PlayerSpec): SimPlayer {
  const started = now();
  const url = new URL(spec.url.replace(/^http/, 'ws'));
  url.searchParams.set('room', spec.roomCode);
  url.searchParams.set('name', `p${spec.index}`);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<number, (error: string | null) => void>();
  let nextId = 1;
  let joined = false;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      id?: number;
      ok?: boolean;
      message?: { text: string };
    };
    if (frame.type === 'chat:message') delivered(frame.message!.text);
    else if (frame.type === 'ack') {
      pending.get(frame.id!)?.(frame.ok ? null : 'ERROR');
      pending.delete(frame.id!);
    } else if (frame.type === 'room:joined' && !joined) {
      joined = true;
      counters.joined++;
      connectedChange(spec.roomCode, 1);
      joinHist.record(now() - started);
    }
  });
  ws.on('error', (error) => {
    if (!joined) counters.joinFailures++;
    noteError(`p${spec.index}: ${error.message}`);
  });
  ws.on('close', () => {
    if (closing) return;
    if (joined) connectedChange(spec.roomCode, -1);
    counters.disconnects++;
    for (const resolve of pending.values()) resolve('DISCONNECTED');
    pending.clear();
  });
  return {
    chat(text) {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve('NOT_CONNECTED');
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve('TIMEOUT');
        }, 8000);
        pending.set(id, (error) => {
          clearTimeout(timer);
          resolve(error);
        });
        ws.send(JSON.stringify({ type: 'chat', id, text }));
      });
    },
    close: () => ws.terminate(),
  };
}

function schedule(at: number, fn: () => void): void {
  const timer = setTimeout(
    () => {
      timers.delete(timer);
      fn();
    },
    Math.max(0, at - Date.now()),
  );
  timers.add(timer);
}

function run(start: StartMessage): void {
  const padding = 'x'.repeat(start.padding);
  for (const spec of start.players) {
    schedule(start.startAt + spec.joinAfterMs, () => {
      if (closing) return;
      const player =
        start.target === 'gamebuddies'
          ? gamebuddiesPlayer(spec, start.game)
          : start.target === 'socketio'
            ? socketIoPlayer(spec, start.game)
            : wsPlayer(spec);
      players.push(player);
      if (start.rate <= 0) return;
      // Each player chats every 1/rate seconds, from a random phase so the load is spread evenly.
      const interval = 1000 / start.rate;
      const first = start.actionsFrom + Math.random() * interval;
      const act = (at: number) => {
        if (closing || at >= start.actionsUntil) return;
        schedule(at, () => {
          counters.sent++;
          const sentAt = now();
          void player.chat(`${MARK}${sentAt.toFixed(3)}:${padding}`).then((error) => {
            if (error) ackErrors[error] = (ackErrors[error] ?? 0) + 1;
            else {
              counters.acked++;
              counters.expectedDeliveries += connectedInRoom.get(spec.roomCode) ?? 0;
              ackHist.record(now() - sentAt);
            }
          });
          act(at + interval);
        });
      };
      act(first);
    });
  }
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      run(message);
      break;
    case 'report':
      send(tick(true));
      break;
    case 'close': {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      for (const player of players) player.close();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 200).unref();
      break;
    }
  }
});
// The coordinator is gone (even killed): stop at once, leave nothing behind.
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  if (!closing) send(tick(false));
}, 1000).unref();
send({ type: 'ready' });
