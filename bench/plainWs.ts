/**
 * The second baseline for `npm run bench`: a plain `ws` server relaying chat by room. Players connect
 * to `/?room=CODE&name=NAME`; `{type:'chat', id, text}` is sent to every socket of the room as
 * `{type:'chat:message', message, version}` (serialised once) and acknowledged with `{type:'ack', id}`.
 *
 *   PORT=4001 tsx bench/plainWs.ts        GET /stats: CPU, memory, lag, connections
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { statsHandler } from './plainStats.js';

const port = Number(process.env.PORT ?? 4001);
const rooms = new Map<string, Set<WebSocket>>();
const versions = new Map<string, number>();
let nextId = 0;
let connections = 0;

const http = createServer(statsHandler(() => connections));
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const roomCode = url.searchParams.get('room');
  const name = url.searchParams.get('name');
  if (!roomCode || !name) return ws.close(4000, 'BAD_REQUEST');
  const playerId = `p${++nextId}`;
  let room = rooms.get(roomCode);
  if (!room) rooms.set(roomCode, (room = new Set()));
  room.add(ws);
  connections++;
  ws.send(JSON.stringify({ type: 'room:joined', roomCode, playerId }));
  ws.on('message', (data) => {
    let frame: { type?: unknown; id?: unknown; text?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return ws.close(4000, 'BAD_REQUEST');
    }
    if (frame.type !== 'chat') return;
    const text = frame.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > 500) {
      return ws.send(JSON.stringify({ type: 'ack', id: frame.id, ok: false }));
    }
    const version = (versions.get(roomCode) ?? 0) + 1;
    versions.set(roomCode, version);
    const message = { id: `m${++nextId}`, playerId, name, text, at: Date.now() };
    const out = JSON.stringify({ type: 'chat:message', message, version });
    for (const peer of room) peer.send(out);
    ws.send(JSON.stringify({ type: 'ack', id: frame.id, ok: true, version }));
  });
  ws.on('close', () => {
    connections--;
    room.delete(ws);
    if (room.size === 0) rooms.delete(roomCode);
  });
});

http.listen(port, '127.0.0.1', () => console.log(`plain ws relay on ${port}`));
process.on('SIGTERM', () => process.exit(0));
