import { describe, expect, it } from '@jest/globals';
import { clusterRoom, gameServerForConsole } from '../../src/api/clusterView.js';
import type { GameRoom } from '../../src/crd/gameRoom.generated.js';
import type { GameServer } from '../../src/kube/agonesTypes.js';

// What the operator's console shows of the cluster: an Agones GameServer as a server of the fleet,
// and a room's GameRoom with its conditions and the GameServer its status names.

const gs = (state: string, extra: Partial<GameServer['metadata']> = {}): GameServer =>
  ({
    metadata: { name: 'rps-fleet-x7k2p', ...extra },
    status: {
      state,
      address: '10.0.0.7',
      ports: [{ port: 7031 }],
      lists: { rooms: { capacity: 4, values: ['AAAAAA', 'BBBBBB'] } },
      counters: { players: { count: 5 } },
    },
  }) as unknown as GameServer;

describe('the cluster in the console', () => {
  it('lists a GameServer with its rooms, players, load and state', () => {
    expect(gameServerForConsole(gs('Allocated'), 'rooms')).toEqual({
      id: 'rps-fleet-x7k2p',
      url: 'http://10.0.0.7:7031',
      health: 'healthy',
      rooms: 2,
      players: 5,
      load: 50,
      draining: false,
    });
    expect(gameServerForConsole(gs('Shutdown'), 'rooms')).toMatchObject({
      health: 'draining',
      draining: true,
    });
    expect(gameServerForConsole(gs('Unhealthy'), 'rooms')).toMatchObject({ health: 'down' });
  });

  it("shows a room's GameRoom conditions and its GameServer", () => {
    const gameRoom = {
      metadata: { name: 'room-aaaaaa' },
      spec: { gameType: 'rps' },
      status: {
        phase: 'Ready',
        failovers: 1,
        gameServer: { name: 'rps-fleet-x7k2p', nodeName: 'node-a' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Placed',
            message: 'on rps-fleet-x7k2p',
            lastTransitionTime: '2026-12-03T07:00:00Z',
          },
        ],
      },
    } as unknown as GameRoom;
    const shown = clusterRoom(gameRoom, (name) => (name === 'rps-fleet-x7k2p' ? gs('Allocated') : undefined));
    expect(shown).toEqual({
      gameRoom: {
        name: 'room-aaaaaa',
        phase: 'Ready',
        failovers: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Placed',
            message: 'on rps-fleet-x7k2p',
            at: '2026-12-03T07:00:00Z',
          },
        ],
      },
      gameServer: { name: 'rps-fleet-x7k2p', state: 'Allocated', address: '10.0.0.7:7031', node: 'node-a' },
    });
    expect(clusterRoom(undefined, () => undefined)).toEqual({ gameRoom: null, gameServer: null });
  });
});
