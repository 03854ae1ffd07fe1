import './style.css';
import { askName, renderHome } from './home.js';
import { RoomClient, type TokenStorage } from '@gamebuddies/client';
import { mountRoom } from './roomView.js';

const app = document.getElementById('app')!;

const session: TokenStorage = {
  get: (key) => sessionStorage.getItem(key),
  set: (key, value) => sessionStorage.setItem(key, value),
  remove: (key) => sessionStorage.removeItem(key),
};

/**
 * Where to look the room up when this page's server goes away: the server says (a local fleet's or a
 * cluster's front, which outlives it); otherwise this origin.
 */
async function lookupUrl(): Promise<string> {
  try {
    const response = await fetch('/play/games');
    const body = (await response.json()) as { lookupUrl?: unknown };
    return typeof body.lookupUrl === 'string' ? body.lookupUrl : location.origin;
  } catch {
    return location.origin;
  }
}

async function openRoom(code: string, params: URLSearchParams): Promise<void> {
  const linkToken = params.get('token') ?? undefined;
  if (linkToken) {
    // The host token stays out of the address bar (screen shares, copied links); the session token
    // kept in sessionStorage brings a reload back to the same seat.
    params.delete('token');
    history.replaceState(null, '', `${location.pathname}?${params.toString()}`);
  }
  const hasSession = session.get(`gb:session:${code}`) !== null;
  const name = hasSession ? undefined : await askName(app, code);
  const client = new RoomClient({
    baseUrl: await lookupUrl(),
    roomCode: code,
    name,
    token: linkToken,
    storage: session,
  });
  mountRoom(app, client);
  client.on('closed', ({ reason }) => {
    if (reason === 'left') location.href = '/';
  });
  try {
    await client.start();
  } catch (error) {
    const message = (error as Error).message;
    await renderHome(app, `Could not join room ${code}: ${message}`);
  }
}

const params = new URLSearchParams(location.search);
const code = params.get('room')?.trim().toUpperCase();
if (code) void openRoom(code, params);
else void renderHome(app);
