import type { ChatMessage } from '@gamebuddies/protocol';
import type { RoomLogEntry, RoomRecord } from '../room/roomRecord.js';
import { restampedJson } from './roomJson.js';
import type { ChangeHistory, RoomChange } from './roomStore.js';

/** A change applied to a copy of the stored room, ready for the store to write (or not). */
export type DraftedChange<T> =
  | {
      changed: false;
      room: RoomRecord;
      result: T;
      /** Chat lines of a room stored before the chat moved out of its JSON (still in it). */
      legacyChat: ChatMessage[];
    }
  | {
      changed: true;
      room: RoomRecord;
      result: T;
      /** The room's JSON to store: version bumped by one, updatedAt now; no chat. */
      json: string;
      /** Lines to add to the room's chat, oldest first: a legacy room's own, then the change's. */
      chat: ChatMessage[];
      /** What the stored room said before, for the compare-and-set and the server index. */
      before: { version: number; serverId: string };
    };

/**
 * The one algorithm the Redis store writes a change with: parse the stored JSON into a fresh draft,
 * run the change on it, and if it changed anything (or added chat lines), bump the version, stamp
 * the time and add the change's history lines. A change that throws leaves nothing behind (the
 * draft is thrown away); one that changes nothing writes nothing, whatever history it would have had.
 * A room stored with its chat inside (before the chat had its own list) loses it from the JSON at its
 * first write, and the lines go to the list in that same write.
 */
export function draftChange<T>(
  storedJson: string,
  change: RoomChange<T>,
  history?: ChangeHistory,
): DraftedChange<T> {
  const draft = JSON.parse(storedJson) as RoomRecord & { chat?: ChatMessage[] };
  const legacyChat = draft.chat ?? [];
  let baseline = storedJson;
  if (draft.chat !== undefined) {
    delete draft.chat;
    baseline = JSON.stringify(draft);
  }
  const { version, updatedAt, serverId } = draft;
  const newChat: ChatMessage[] = [];
  const result = change(draft, newChat);
  let after = JSON.stringify(draft);
  if (after === baseline && newChat.length === 0) return { changed: false, room: draft, result, legacyChat };
  draft.version = version + 1;
  draft.updatedAt = Date.now();
  if (history) after = withHistory(after, draft, history(draft));
  const json = restampedJson(after, draft, { version, updatedAt });
  const chat = legacyChat.length === 0 ? newChat : [...legacyChat, ...newChat];
  return { changed: true, room: draft, result, json, chat, before: { version, serverId } };
}

/**
 * Puts the room's new history last in the room (`log` is kept the last key) and in its JSON. The JSON
 * already made for the no-op check ends with the old `"log":[…]` then, so only the history is
 * stringified again, not the room; otherwise (an older room, a key added after it) the room is.
 */
function withHistory(json: string, draft: RoomRecord, log: RoomLogEntry[]): string {
  const oldTail = draft.log === undefined ? undefined : `,"log":${JSON.stringify(draft.log)}}`;
  delete draft.log;
  draft.log = log;
  if (oldTail !== undefined && json.endsWith(oldTail)) {
    return `${json.slice(0, -oldTail.length)},"log":${JSON.stringify(log)}}`;
  }
  return JSON.stringify(draft);
}
