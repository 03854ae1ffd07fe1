import { describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@gamebuddies/rooms';
import { AgonesLifecycle } from '../../src/agones/agonesLifecycle.js';
import type { AgonesRooms } from '../../src/agones/agonesRooms.js';
import type { AgonesGameServer, AgonesSdk } from '../../src/agones/agonesSdk.js';
import type { LoadReporter } from '../../src/agones/loadReporter.js';

// Mocked at our own interface (AgonesSdk); the real sidecar is exercised in test/cluster.

function gameServer(rooms: { capacity: number; values: string[] }, state = 'Ready'): AgonesGameServer {
  return {
    name: 'gs',
    labels: {},
    annotations: {},
    state,
    address: '127.0.0.1',
    ports: [{ name: 'http', port: 7000 }],
    lists: { rooms },
    counters: {},
  };
}

function setup(current: AgonesGameServer, rooms: { count: number; others: boolean }) {
  const sdk = {
    connect: jest.fn(async () => undefined),
    ready: jest.fn(async () => undefined),
    shutdown: jest.fn(async () => undefined),
    health: jest.fn(),
    getGameServer: jest.fn(async () => current),
    watchGameServer: jest.fn(),
    setListCapacity: jest.fn(async (_list: string, _capacity: number) => undefined),
    deleteListValue: jest.fn(async () => undefined),
    setCounterCount: jest.fn(async () => undefined),
    close: jest.fn(),
  } satisfies AgonesSdk;
  const fakeRooms = {
    get count() {
      return rooms.count;
    },
    holdsOthers: () => rooms.others,
    sync: async () => undefined,
  } as unknown as AgonesRooms;
  const load = { start: () => undefined, stop: () => undefined } as unknown as LoadReporter;
  const lifecycle = new AgonesLifecycle(
    sdk,
    fakeRooms,
    load,
    { maxRooms: 5, healthIntervalMs: 60_000, drainTimeoutMs: 60_000 },
    createLogger('silent'),
  );
  return { sdk, lifecycle };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('the game server under Agones', () => {
  it("sizes an undeclared rooms List, and leaves a Fleet's declared capacity alone", async () => {
    const undeclared = setup(gameServer({ capacity: 0, values: [] }), { count: 0, others: false });
    await undeclared.lifecycle.start(gameServer({ capacity: 0, values: [] }));
    expect(undeclared.sdk.setListCapacity).toHaveBeenCalledWith('rooms', 5);
    expect(undeclared.sdk.ready).toHaveBeenCalledTimes(1);
    await undeclared.lifecycle.stop();

    const declared = setup(gameServer({ capacity: 5, values: [] }), { count: 0, others: false });
    await declared.lifecycle.start(gameServer({ capacity: 5, values: [] }));
    expect(declared.sdk.setListCapacity).not.toHaveBeenCalled();
    expect(declared.sdk.ready).toHaveBeenCalledTimes(1);
    await declared.lifecycle.stop();
  });

  it('goes back to Ready when its last room ended, but not while the List holds a code it has not seen', async () => {
    const idle = setup(gameServer({ capacity: 5, values: ['GONE22'] }, 'Allocated'), {
      count: 0,
      others: false,
    });
    idle.lifecycle.roomEnded();
    await settle();
    expect(idle.sdk.ready).toHaveBeenCalledTimes(1);

    const racing = setup(gameServer({ capacity: 5, values: ['NEW222'] }, 'Allocated'), {
      count: 0,
      others: true,
    });
    racing.lifecycle.roomEnded();
    await settle();
    expect(racing.sdk.ready).not.toHaveBeenCalled();
  });
});
