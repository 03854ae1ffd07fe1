import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@gamebuddies/rooms';
import { ACCEPTING_LABEL, AgonesLifecycle } from '../../src/agones/agonesLifecycle.js';
import type { AgonesRooms } from '../../src/agones/agonesRooms.js';
import type { AgonesGameServer, AgonesSdk } from '../../src/agones/agonesSdk.js';
import { LoadReporter } from '../../src/agones/loadReporter.js';

// Draining by the `gamebuddies.io/accepting` label, the one the operator's allocation selectors and
// the Fleet's allocationOverflow use. The SDK is a FAKE (the sidecar cannot run in a unit test): it
// records calls and lets the test push GameServer updates as Agones' watch would.

function gameServer(state: string, rooms: string[], accepting?: string): AgonesGameServer {
  return {
    name: 'gs-1',
    labels: accepting === undefined ? {} : { [ACCEPTING_LABEL]: accepting },
    annotations: {},
    state,
    address: '10.0.0.1',
    ports: [{ name: 'http', port: 7000 }],
    lists: { rooms: { capacity: 10, values: rooms } },
    counters: {},
  };
}

class FakeSdk implements AgonesSdk {
  calls: string[] = [];
  current = gameServer('Ready', []);
  private onChange: (gs: AgonesGameServer) => void = () => undefined;
  connect = async () => undefined;
  ready = async () => {
    this.calls.push('ready');
  };
  shutdown = async () => {
    this.calls.push('shutdown');
  };
  health = () => undefined;
  getGameServer = async () => this.current;
  watchGameServer(onChange: (gs: AgonesGameServer) => void): void {
    this.onChange = onChange;
  }
  setListCapacity = async () => undefined;
  deleteListValue = async () => undefined;
  setCounterCount = async () => undefined;
  close = () => undefined;
  /** Agones changed the GameServer: the watch delivers it. */
  update(gs: AgonesGameServer): void {
    this.current = gs;
    this.onChange(gs);
  }
}

const DRAIN_TIMEOUT_MS = 60_000;

describe('a game server drained by the accepting label', () => {
  let sdk: FakeSdk;
  let rooms: { count: number; sync: () => Promise<void>; holdsOthers: () => boolean };
  let left: number;
  let lifecycle: AgonesLifecycle;
  const log = createLogger('silent');

  async function start(initial: AgonesGameServer): Promise<void> {
    sdk.current = initial;
    await lifecycle.start(initial);
  }
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  beforeEach(() => {
    jest.useFakeTimers();
    sdk = new FakeSdk();
    rooms = { count: 0, sync: async () => undefined, holdsOthers: () => false };
    left = 0;
    lifecycle = new AgonesLifecycle(
      sdk,
      rooms as unknown as AgonesRooms,
      new LoadReporter(sdk, () => 0, log),
      {
        maxRooms: 10,
        healthIntervalMs: 1000,
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        leave: () => {
          left += 1;
        },
      },
      log,
    );
  });
  afterEach(async () => {
    await lifecycle.stop();
    jest.useRealTimers();
  });

  it('keeps its rooms while they play, and leaves when the last one ends', async () => {
    await start(gameServer('Allocated', ['AAAAAA', 'BBBBBB'], 'true'));
    rooms.count = 2;
    // The rollout's allocationOverflow (or an operator's `kubectl label`) marks it.
    sdk.update(gameServer('Allocated', ['AAAAAA', 'BBBBBB'], 'false'));
    await settle();
    expect(left).toBe(0);
    rooms.count = 0;
    sdk.current = gameServer('Allocated', [], 'false');
    lifecycle.roomEnded();
    await settle();
    expect(left).toBe(1);
    // Not back to Ready: an old server must not be handed new rooms.
    expect(sdk.calls.filter((c) => c === 'ready')).toHaveLength(1);
  });

  it('goes back to Ready after its last room when it still accepts rooms', async () => {
    await start(gameServer('Allocated', ['AAAAAA'], 'true'));
    rooms.count = 1;
    rooms.count = 0;
    sdk.current = gameServer('Allocated', [], 'true');
    lifecycle.roomEnded();
    await settle();
    expect(left).toBe(0);
    expect(sdk.calls.filter((c) => c === 'ready')).toHaveLength(2);
  });

  it('leaves within the drain timeout even if a room never ends (the operator moves it)', async () => {
    await start(gameServer('Allocated', ['AAAAAA'], 'true'));
    rooms.count = 1;
    sdk.update(gameServer('Allocated', ['AAAAAA'], 'false'));
    await settle();
    jest.advanceTimersByTime(DRAIN_TIMEOUT_MS - 1);
    expect(left).toBe(0);
    jest.advanceTimersByTime(1);
    expect(left).toBe(1);
  });

  it('drops the timeout when the label says accepting again', async () => {
    await start(gameServer('Allocated', ['AAAAAA'], 'true'));
    rooms.count = 1;
    sdk.update(gameServer('Allocated', ['AAAAAA'], 'false'));
    await settle();
    sdk.update(gameServer('Allocated', ['AAAAAA'], 'true'));
    await settle();
    jest.advanceTimersByTime(DRAIN_TIMEOUT_MS * 2);
    expect(left).toBe(0);
  });

  it('leaves at once when drained while holding no room', async () => {
    await start(gameServer('Ready', [], 'true'));
    sdk.update(gameServer('Ready', [], 'false'));
    await settle();
    expect(left).toBe(1);
  });

  it('is not drained by a missing label (a server from an older chart keeps working)', async () => {
    await start(gameServer('Ready', []));
    await settle();
    jest.advanceTimersByTime(DRAIN_TIMEOUT_MS * 2);
    expect(left).toBe(0);
  });
});
