import type { RoomRecord, RoomWithChat } from '../room/roomRecord.js';

/** The room without a `chat` it may carry (a room as read): the chat is stored beside the record. */
export function recordOnly(room: RoomRecord): RoomRecord {
  if (!Object.hasOwn(room, 'chat')) return room;
  const { chat: _chat, ...record } = room as RoomWithChat;
  return record;
}

/**
 * The stored JSON of a changed room, made from the JSON the store already produced for its no-op
 * check (`JSON.stringify(draft)` before the version was bumped), so a change costs one stringify, not
 * two. A room's JSON starts with `code`, `gameType`, `version`, `createdAt`, `updatedAt` (the order
 * rooms are created in, kept by every parse and stringify); only `version` and `updatedAt` change
 * here, so the rest of the string is reused as is. If the JSON does not start as expected (a change
 * rewrote those fields), the room is stringified again: the result is always `JSON.stringify(room)`.
 */
export function restampedJson(
  json: string,
  room: RoomRecord,
  before: { version: number; updatedAt: number },
): string {
  const head = (version: number, updatedAt: number) =>
    `{"code":${JSON.stringify(room.code)},"gameType":${JSON.stringify(room.gameType)},"version":${JSON.stringify(version)},"createdAt":${JSON.stringify(room.createdAt)},"updatedAt":${JSON.stringify(updatedAt)},`;
  const old = head(before.version, before.updatedAt);
  if (!json.startsWith(old)) return JSON.stringify(room);
  return head(room.version, room.updatedAt) + json.slice(old.length);
}
