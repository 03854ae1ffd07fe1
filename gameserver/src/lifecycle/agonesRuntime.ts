import type { Logger, RoomOwnership, RoomService, RoomStore } from '@gamebuddies/rooms';
import { AgonesLifecycle, gameServerUrl } from '../agones/agonesLifecycle.js';
import { AgonesRooms } from '../agones/agonesRooms.js';
import type { AgonesGameServer, AgonesSdk } from '../agones/agonesSdk.js';
import { LoadReporter } from '../agones/loadReporter.js';

/** The SDK connected before the server listens: the GameServer's address is the public URL. */
export async function connectAgones(sdk: AgonesSdk, log: Logger): Promise<AgonesGameServer> {
  await sdk.connect();
  const gameServer = await sdk.getGameServer();
  log.info(
    { gameServer: gameServer.name, address: gameServerUrl(gameServer) },
    'Agones: connected to the SDK',
  );
  return gameServer;
}

export interface AgonesRuntime {
  rooms: AgonesRooms;
  lifecycle: AgonesLifecycle;
}

/**
 * Rooms from the GameServer's `rooms` List and the SDK lifecycle (Ready, health, back to Ready or
 * drain when the last room ends, Shutdown last).
 */
export function createAgonesRuntime(deps: {
  sdk: AgonesSdk;
  store: RoomStore;
  service: RoomService;
  ownership: RoomOwnership;
  dropLocalSockets: (code: string) => void;
  connectedPlayers: () => number;
  maxRooms: number;
  healthIntervalMs: number;
  drainTimeoutMs: number;
  log: Logger;
}): AgonesRuntime {
  const rooms = new AgonesRooms(
    deps.sdk,
    deps.store,
    deps.service,
    deps.ownership,
    deps.dropLocalSockets,
    // Called only once rooms end, after `lifecycle` below exists.
    () => lifecycle.roomEnded(),
    deps.log,
  );
  deps.service.onUpdate(rooms.onUpdate);
  const lifecycle = new AgonesLifecycle(
    deps.sdk,
    rooms,
    new LoadReporter(deps.sdk, deps.connectedPlayers, deps.log),
    { maxRooms: deps.maxRooms, healthIntervalMs: deps.healthIntervalMs, drainTimeoutMs: deps.drainTimeoutMs },
    deps.log,
  );
  return { rooms, lifecycle };
}
