import type { ConsoleClusterRoom, ConsoleServer } from '@gamebuddies/protocol';
import type { GameRoom } from '../crd/gameRoom.generated.js';
import { addressOf, isServing, roomsOf, type GameServer } from '../kube/agonesTypes.js';

/**
 * An Agones GameServer as the console lists it. Its name is the game server's id (the pod's name),
 * so it merges with what the store's heartbeats and rooms say about the same server.
 */
export function gameServerForConsole(gs: GameServer, roomsList: string): ConsoleServer {
  const list = gs.status?.lists?.[roomsList];
  const rooms = roomsOf(gs, roomsList).length;
  const capacity = list?.capacity ?? 0;
  const address = addressOf(gs);
  const state = gs.status?.state;
  return {
    id: gs.metadata!.name!,
    url: address ? `http://${address}` : null,
    health: isServing(gs)
      ? 'healthy'
      : state === 'Shutdown' || gs.metadata?.deletionTimestamp
        ? 'draining'
        : 'down',
    rooms,
    players: gs.status?.counters?.players?.count ?? 0,
    load: capacity > 0 ? Math.round((rooms / capacity) * 100) : null,
    draining: state === 'Shutdown' || Boolean(gs.metadata?.deletionTimestamp),
  };
}

/** The room's GameRoom (phase, failovers, conditions) and the GameServer its status names. */
export function clusterRoom(
  gameRoom: GameRoom | undefined,
  gameServer: (name: string) => GameServer | undefined,
): ConsoleClusterRoom {
  const gsName = gameRoom?.status?.gameServer?.name;
  const gs = gsName ? gameServer(gsName) : undefined;
  return {
    gameRoom: gameRoom
      ? {
          name: gameRoom.metadata?.name ?? '',
          phase: gameRoom.status?.phase ?? null,
          failovers: gameRoom.status?.failovers ?? 0,
          conditions: (gameRoom.status?.conditions ?? []).map((c) => ({
            type: c.type,
            status: c.status,
            reason: c.reason,
            message: c.message,
            at: c.lastTransitionTime,
          })),
        }
      : null,
    gameServer: gsName
      ? {
          name: gsName,
          state: gs?.status?.state ?? null,
          address: gs ? (addressOf(gs) ?? null) : null,
          node: gameRoom?.status?.gameServer?.nodeName ?? null,
        }
      : null,
  };
}
