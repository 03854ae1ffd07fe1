/**
 * The baseline for `npm run bench`: a plain Socket.IO 4.8 server that only relays chat to rooms,
 * with the same events and payloads as the game server and nothing else (no store, no seats, no
 * validation beyond the text, no metrics library). A player joins the room named in its `auth`;
 * `room:chat` is emitted to the room as `chat:message` and acknowledged.
 *
 *   PORT=4000 GAME=rps tsx bench/plainSocketIo.ts        GET /stats: CPU, memory, lag, connections
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { statsHandler } from './plainStats.js';

const port = Number(process.env.PORT ?? 4000);
const game = process.env.GAME ?? 'rps';

let connections = 0;
const http = createServer(statsHandler(() => connections));
// The game server's engine options, so the comparison is about what runs on top of them.
const io = new Server(http, {
  transports: ['polling', 'websocket'],
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
  cors: { origin: '*' },
});
const versions = new Map<string, number>();
let nextId = 0;

const nsp = io.of(`/${game}`);
nsp.use((socket, next) => {
  const { roomCode, name } = (socket.handshake.auth ?? {}) as { roomCode?: unknown; name?: unknown };
  if (typeof roomCode !== 'string' || typeof name !== 'string') return next(new Error('BAD_REQUEST'));
  socket.data = { roomCode, name, playerId: `p${++nextId}` };
  next();
});
nsp.on('connection', (socket) => {
  const { roomCode, name, playerId } = socket.data as { roomCode: string; name: string; playerId: string };
  connections++;
  void socket.join(roomCode);
  socket.emit('room:joined', { roomCode, playerId });
  socket.on('room:chat', (payload: { text?: unknown }, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const text = payload?.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 500) {
      return ack({ ok: false, error: { code: 'BAD_REQUEST', message: 'text' } });
    }
    const version = (versions.get(roomCode) ?? 0) + 1;
    versions.set(roomCode, version);
    const message = { id: `m${++nextId}`, playerId, name, text, at: Date.now() };
    nsp.to(roomCode).emit('chat:message', { message, version });
    ack({ ok: true, version });
  });
  socket.on('disconnect', () => connections--);
});

http.listen(port, '127.0.0.1', () => console.log(`plain socket.io relay on ${port}`));
process.on('SIGTERM', () => process.exit(0));
