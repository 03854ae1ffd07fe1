import { describe, expect, it } from '@jest/globals';
import type { ConsoleRoomRow } from '@gamebuddies/protocol';
import type { RoomRecord } from '@gamebuddies/rooms';
import { filterRooms } from '../../src/console/consoleApi.js';
import { mergeServers } from '../../src/console/storeConsole.js';

// The console's room list (search and sort, as `GET /console/api/rooms` answers it) and its server
// list (what this front knows, live heartbeats, and servers that only rooms still name).

const row = (
  code: string,
  gameType: string,
  serverId: string,
  players: number,
  updatedAt: number,
): ConsoleRoomRow => ({
  code,
  gameType,
  phase: 'lobby',
  connected: players,
  players,
  maxPlayers: 8,
  serverId,
  version: 1,
  createdAt: 0,
  updatedAt,
});

const rows = [
  row('AAAAAA', 'rps', 's1', 2, 30),
  row('BBBBBB', 'ddf', 's2', 5, 10),
  row('CCCCCC', 'rps', 's2', 1, 20),
];

describe('the console room list', () => {
  it('lists the latest changed first by default', () => {
    expect(filterRooms(rows, {}).map((r) => r.code)).toEqual(['AAAAAA', 'CCCCCC', 'BBBBBB']);
  });

  it('searches code, game and server, case-insensitively', () => {
    expect(filterRooms(rows, { q: 'RPS' }).map((r) => r.code)).toEqual(['AAAAAA', 'CCCCCC']);
    expect(filterRooms(rows, { q: 's2' }).map((r) => r.code)).toEqual(['CCCCCC', 'BBBBBB']);
    expect(filterRooms(rows, { q: 'bbb' }).map((r) => r.code)).toEqual(['BBBBBB']);
    expect(filterRooms(rows, { q: 'nothing' })).toEqual([]);
  });

  it('sorts by any column either way, and ignores an unknown column', () => {
    expect(filterRooms(rows, { sort: 'players', dir: 'desc' }).map((r) => r.players)).toEqual([5, 2, 1]);
    expect(filterRooms(rows, { sort: 'code', dir: 'asc' }).map((r) => r.code)).toEqual([
      'AAAAAA',
      'BBBBBB',
      'CCCCCC',
    ]);
    expect(filterRooms(rows, { sort: 'hostTokenHash' }).map((r) => r.code)).toEqual([
      'AAAAAA',
      'CCCCCC',
      'BBBBBB',
    ]);
  });
});

describe('the console server list', () => {
  const room = (serverId: string, players: Array<{ connected: boolean; serverId: string | null }>) =>
    ({ serverId, url: `http://${serverId}`, players }) as unknown as RoomRecord;

  it('counts rooms and connected players per server, and shows a server only rooms name as down', () => {
    const servers = mergeServers(
      [{ id: 's1', url: 'http://s1', health: 'healthy', rooms: 99, players: 99, load: 10, draining: false }],
      new Set(['s1', 's2']),
      [
        room('s1', [
          { connected: true, serverId: 's1' },
          { connected: true, serverId: 's2' },
          { connected: false, serverId: null },
        ]),
        room('dead', [{ connected: true, serverId: 'dead' }]),
      ],
    );
    expect(servers).toEqual([
      { id: 'dead', url: 'http://dead', health: 'down', rooms: 1, players: 1, load: null, draining: false },
      { id: 's1', url: 'http://s1', health: 'healthy', rooms: 1, players: 1, load: 10, draining: false },
      { id: 's2', url: null, health: 'healthy', rooms: 0, players: 1, load: null, draining: false },
    ]);
  });
});
