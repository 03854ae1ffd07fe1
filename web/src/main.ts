import './style.css';
import { askName, renderHome } from './home.js';
import { parseJoinLink, RoomClient, type JoinLink, type TokenStorage } from '@gamebuddies/client';
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

async function openRoom(link: JoinLink): Promise<void> {
  const code = link.roomCode;
  const linkToken = link.token;
  if (linkToken) {
    // The host token (in the fragment, never sent to a server) stays out of the address bar too
    // (screen shares, copied links); the session token in sessionStorage brings a reload back.
    history.replaceState(null, '', link.withoutToken);
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

const link = parseJoinLink(location.href);
if (link) void openRoom(link);
else void renderHome(app);
