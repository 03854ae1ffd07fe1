import type { RoomRecord } from '../room/roomRecord.js';
import { restampedJson } from './roomJson.js';
import type { RoomChange } from './roomStore.js';

/** A change applied to a copy of the stored room, ready for the store to write (or not). */
export type DraftedChange<T> =
  | { changed: false; room: RoomRecord; result: T }
  | {
      changed: true;
      room: RoomRecord;
      result: T;
      /** The room's JSON to store: version bumped by one, updatedAt now. */
      json: string;
      /** What the stored room said before, for the compare-and-set and the server index. */
      before: { version: number; serverId: string };
    };

/**
 * The one algorithm every store writes a change with: parse the stored JSON into a fresh draft,
 * run the change on it, and if it changed anything, bump the version and stamp the time. A change
 * that throws leaves nothing behind (the draft is thrown away); one that changes nothing writes
 * nothing.
 */
export function draftChange<T>(storedJson: string, change: RoomChange<T>): DraftedChange<T> {
  const draft = JSON.parse(storedJson) as RoomRecord;
  const { version, updatedAt, serverId } = draft;
  const result = change(draft);
  const after = JSON.stringify(draft);
  if (after === storedJson) return { changed: false, room: draft, result };
  draft.version = version + 1;
  draft.updatedAt = Date.now();
  const json = restampedJson(after, draft, { version, updatedAt });
  return { changed: true, room: draft, result, json, before: { version, serverId } };
}
