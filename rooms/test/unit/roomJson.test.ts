import { describe, expect, it } from '@jest/globals';
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
    settings: { rounds: 3 },
    phase: 'lobby',
    players: [],
    chat: [{ id: 'm1', playerId: 'p1', name: 'Ana', text: '"version":7,"updatedAt":1', at: 1 }],
    game: { stage: 'lobby' },
    timers: [],
    results: null,
  };
}

describe('restampedJson (one stringify per room change)', () => {
  it('equals JSON.stringify of the room with its new version and updatedAt', () => {
    const draft = room();
    const before = { version: draft.version, updatedAt: draft.updatedAt };
    draft.chat.push({ id: 'm2', playerId: 'p1', name: 'Ana', text: 'hi', at: 2 });
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
