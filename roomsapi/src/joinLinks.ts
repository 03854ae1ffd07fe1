import type { CreatedRoom } from '@gamebuddies/protocol';
import type { BackendRoom } from './backend.js';

/**
 * Join links go through the API's `/r/:code` lookup rather than to a server directly, so a link
 * handed out once keeps working when the room moves to another server.
 */
export function playerJoinUrl(apiBase: string, code: string): string {
  return `${apiBase}/r/${code}`;
}

/**
 * The host token travels in the fragment (`#token=`): browsers never send a fragment to a server, so
 * it stays out of access logs and Referer headers, and they carry it over the `/r/` redirect.
 */
export function hostJoinUrl(apiBase: string, code: string, hostToken: string): string {
  return `${apiBase}/r/${code}?role=host#token=${encodeURIComponent(hostToken)}`;
}

/**
 * Where `/r/:code` sends a browser: the room's page on its current server. A token (from an old
 * `?token=` link) is moved into the fragment.
 */
export function roomPageUrl(
  serverUrl: string,
  code: string,
  role: 'host' | 'player',
  token?: string,
): string {
  const query = new URLSearchParams({ room: code, role });
  const fragment = token ? `#token=${encodeURIComponent(token)}` : '';
  return `${serverUrl}/?${query.toString()}${fragment}`;
}

/** The API's answer to a create: the room plus its join links. */
export function createdRoomBody(room: BackendRoom, apiBase: string): CreatedRoom {
  return {
    ...room,
    hostJoinUrl: hostJoinUrl(apiBase, room.roomCode, room.hostToken),
    playerJoinUrl: playerJoinUrl(apiBase, room.roomCode),
  };
}
