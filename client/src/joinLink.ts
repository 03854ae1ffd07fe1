/** What a room page's address says: `/?room=CODE&role=host#token=…` (links from `/r/:code`). */
export interface JoinLink {
  roomCode: string;
  role: 'host' | 'player';
  /** The host token. Read from the fragment, which browsers never send to a server. */
  token: string | undefined;
  /** The same address without the token, for `history.replaceState` (nothing secret on screen). */
  withoutToken: string;
}

/**
 * Reads a room page's address. The token is in the fragment (`#token=`); an old link with
 * `?token=` in the query is still read during the deprecation window (docs/rooms-api.md).
 * Null when the address names no room.
 */
export function parseJoinLink(href: string): JoinLink | null {
  const url = new URL(href);
  const roomCode = url.searchParams.get('room')?.trim().toUpperCase();
  if (!roomCode) return null;
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = fragment.get('token') ?? url.searchParams.get('token') ?? undefined;
  url.searchParams.delete('token');
  fragment.delete('token');
  const rest = fragment.toString();
  url.hash = rest ? `#${rest}` : '';
  return {
    roomCode,
    role: url.searchParams.get('role') === 'host' ? 'host' : 'player',
    token: token || undefined,
    withoutToken: `${url.pathname}${url.search}${url.hash}`,
  };
}
