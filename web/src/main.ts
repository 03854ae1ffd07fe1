import './style.css';
import { askName, renderHome } from './home.js';
import {
  parseJoinLink,
  RoomClient,
  type JoinLink,
  type RoomLocation,
  type TokenStorage,
} from '@gamebuddies/client';
import { mountRoom } from './roomView.js';

const app = document.getElementById('app')!;

/**
 * The session token is kept per browser and room (localStorage, keyed by room code), not per tab:
 * a phone that closed the tab, or a player who opens the invite link again, gets the same seat back.
 * Two tabs on one seat settle it by takeover (the older one says the seat is used in another window).
 */
const storage: TokenStorage = {
  get: (key) => localStorage.getItem(key),
  set: (key, value) => localStorage.setItem(key, value),
  remove: (key) => localStorage.removeItem(key),
};

const sessionKey = (code: string) => `gb:session:${code}`;

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

/**
 * Asks the lookup where the room is: `missing` only when it says the room does not exist (an
 * unreachable lookup is no answer). A location found here is where the client connects first, so the
 * page does not ask twice.
 */
async function findRoom(base: string, code: string): Promise<RoomLocation | 'missing' | null> {
  try {
    const response = await fetch(`${base}/r/${encodeURIComponent(code)}`, {
      headers: { accept: 'application/json' },
    });
    if (response.status === 404) return 'missing';
    if (!response.ok) return null;
    const body = (await response.json()) as Partial<RoomLocation>;
    return typeof body.url === 'string' && typeof body.namespace === 'string'
      ? { url: body.url, namespace: body.namespace }
      : null;
  } catch {
    return null;
  }
}

async function openRoom(link: JoinLink, askedName?: string): Promise<void> {
  const code = link.roomCode;
  const linkToken = link.token;
  if (linkToken) {
    // The host token (in the fragment, never sent to a server) stays out of the address bar too
    // (screen shares, copied links); the session token kept in localStorage brings a reload or a
    // reopened tab back to the same seat.
    history.replaceState(null, '', link.withoutToken);
  }
  const base = await lookupUrl();
  // A mistyped code is told at once, before anyone types a name for nothing.
  const found = await findRoom(base, code);
  if (found === 'missing') {
    return renderHome(app, `Room ${code} does not exist. Check the code and try again.`);
  }
  const hasSession = storage.get(sessionKey(code)) !== null;
  // The host link carries the host's name from the room's creation: nobody types it twice.
  const name = askedName ?? (hasSession || linkToken ? undefined : await askName(app, code));
  const client = new RoomClient({
    baseUrl: base,
    server: found ?? undefined,
    roomCode: code,
    name,
    token: linkToken,
    storage,
  });
  mountRoom(app, client);
  const onNetwork = () => client.networkChanged(navigator.onLine);
  addEventListener('online', onNetwork);
  addEventListener('offline', onNetwork);
  client.on('closed', ({ reason }) => {
    removeEventListener('online', onNetwork);
    removeEventListener('offline', onNetwork);
    if (reason === 'left') location.href = '/';
  });
  try {
    await client.start();
  } catch (error) {
    const { message, code: reason } = error as Error & { code?: string };
    if (reason === 'BAD_REQUEST' && !name) {
      // A host link for a room created without a host name, or a session gone stale: ask for it now.
      return openRoom(link, await askName(app, code));
    }
    if (reason === 'INVALID_TOKEN' && hasSession && !linkToken) {
      // The seat expired while away (the client forgot it): take a new one.
      return openRoom({ ...link, token: undefined });
    }
    await renderHome(app, `Could not join room ${code}: ${message}`);
  }
}

const link = parseJoinLink(location.href);
if (link) void openRoom(link);
else void renderHome(app);
