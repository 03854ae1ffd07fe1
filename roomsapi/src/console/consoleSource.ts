import type { ConsoleActionName, ConsoleOverview, ConsoleRoomDetail } from '@gamebuddies/protocol';

/**
 * What a front of the Rooms API (one game server, the local fleet's router, the operator) shows and
 * does for the operator's console. Reads come from the store and the servers' heartbeats, so the
 * console shows the same fleet whichever front it is opened on. An action a front cannot do throws
 * INVALID_ACTION (and is left out of `overview().actions`).
 */
export interface ConsoleSource {
  overview(): Promise<ConsoleOverview>;
  room(code: string): Promise<ConsoleRoomDetail>;
  close(code: string): Promise<void>;
  kick(code: string, playerId: string): Promise<void>;
  setHost(code: string, playerId: string): Promise<void>;
  /** Moves the room to another server (with a shared store): players follow it. */
  move(code: string, serverId: string): Promise<void>;
  /** The server takes no new rooms; its rooms stay until they end or are moved. */
  drain(serverId: string): Promise<void>;
}

export type { ConsoleActionName };
