import { describe, expect, it } from '@jest/globals';
import { draftChange } from '../../src/store/changeDraft.js';
import { restampedJson } from '../../src/store/roomJson.js';
import type { RoomRecord } from '../../src/room/roomRecord.js';

function room(): RoomRecord {
  return {
    code: 'K7QXM2',
    gameType: 'rps',
    version: 7,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_500,
    serverId: 's1',
    url: 'http://127.0.0.1:3000',
    hostTokenHash: 'h',
    hostClaimedBy: null,
    hostId: null,
    hostName: 'Ana "the host"',
    maxPlayers: 10,
    settings: { rounds: 3, note: '"version":7,"updatedAt":1' },
    phase: 'lobby',
    players: [],
    game: { stage: 'lobby' },
    timers: [],
    results: null,
  };
}

describe('restampedJson (one stringify per room change)', () => {
  it('equals JSON.stringify of the room with its new version and updatedAt', () => {
    const draft = room();
    const before = { version: draft.version, updatedAt: draft.updatedAt };
    draft.settings.rounds = 5;
    const after = JSON.stringify(draft);
    draft.version = 8;
    draft.updatedAt = 1_700_000_009_999;
    expect(restampedJson(after, draft, before)).toBe(JSON.stringify(draft));
  });

  it('falls back to a full stringify when the JSON does not start as expected', () => {
    const draft = room();
    const before = { version: draft.version, updatedAt: draft.updatedAt };
    // `version` first: not the order rooms are created in.
    const { version, ...rest } = draft;
    const after = JSON.stringify({ version, ...rest });
    draft.version = 8;
    draft.updatedAt = 1_700_000_009_999;
    expect(restampedJson(after, draft, before)).toBe(JSON.stringify(draft));
  });
});

describe('a change with its history', () => {
  const history = (draft: RoomRecord) => [
    ...(draft.log ?? []),
    { version: draft.version, at: draft.updatedAt, type: 'state', text: 'state changed' },
  ];

  it('stores exactly JSON.stringify of the room, its history last, whether the room had one or not', () => {
    const withLog = { ...room(), log: [{ version: 7, at: 1, type: 'created', text: 'created on s1' }] };
    // A game whose own state has a "log" key: only the room's last key is the room's history.
    const withGameLog = { ...withLog, game: { log: [] } };
    const keyAfterLog = { ...withLog, formerPlayers: { p1: 'Bo' } };
    for (const start of [room(), withLog, withGameLog, keyAfterLog]) {
      const drafted = draftChange(
        JSON.stringify(start),
        (draft) => {
          draft.phase = 'playing';
        },
        history,
      );
      expect(drafted.changed).toBe(true);
      if (!drafted.changed) continue;
      expect(drafted.json).toBe(JSON.stringify(drafted.room));
      expect(Object.keys(drafted.room).at(-1)).toBe('log');
      expect(drafted.room.log!.at(-1)).toMatchObject({ version: 8, text: 'state changed' });
      expect((JSON.parse(drafted.json) as RoomRecord).game).toEqual(start.game);
    }
  });

  it('writes nothing for a change that changed nothing, history or not', () => {
    const drafted = draftChange(JSON.stringify(room()), () => undefined, history);
    expect(drafted.changed).toBe(false);
    expect(drafted.room.log).toBeUndefined();
  });
});
