// Generated from crds/gamerooms.gamebuddies.io.yaml by `npm run crd:generate`. Do not edit: change the CRD and regenerate.
import type { V1ObjectMeta } from '@kubernetes/client-node';

export const GAMEROOM_GROUP = 'gamebuddies.io';
export const GAMEROOM_VERSION = 'v1alpha1';
export const GAMEROOM_PLURAL = 'gamerooms';
export const GAMEROOM_KIND = 'GameRoom';

/** What room to run. */
export interface GameRoomSpec {
  /** Game plugin to run (its Socket.IO namespace); GameServers are matched by the gamebuddies.io/game-type label. */
  gameType: string;
  /** The 6-character room code. Generated when absent; cannot change once set. */
  roomCode?: string;
  /** Name shown for the host until they choose one. */
  hostName?: string;
  /** Seats in the room. */
  maxPlayers?: number;
  /** Game settings, validated by the game when the room is created. */
  settings?: Record<string, unknown>;
  /** Delete the GameRoom this long after it finished. Kept when absent. */
  ttlSecondsAfterFinished?: number;
}

/** The Agones GameServer holding the room. */
export interface GameRoomStatusGameServer {
  name?: string;
  namespace?: string;
  nodeName?: string;
}

export interface GameRoomStatusCondition {
  /** Allocated, Ready, ... */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Where the room is and how it is doing, written by the operator. */
export interface GameRoomStatus {
  /** Pending, Allocating, Ready, Finished or Failed. */
  phase?: 'Pending' | 'Allocating' | 'Ready' | 'Finished' | 'Failed';
  /** The room's code. */
  roomCode?: string;
  /** host:port of the GameServer holding the room. */
  address?: string;
  /** Base URL players connect to. */
  url?: string;
  /** The Agones GameServer holding the room. */
  gameServer?: GameRoomStatusGameServer;
  /** Seated players. */
  players?: number;
  /** Times the room was moved to another GameServer because its server went away. */
  failovers?: number;
  /** When the room finished. */
  finishedAt?: string;
  /** The spec generation this status describes. */
  observedGeneration?: number;
  /** Latest observations of the room's state. */
  conditions?: Array<GameRoomStatusCondition>;
}

/** A party-game room, placed by the operator on an Agones GameServer that can host many rooms. */
export interface GameRoom {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  /** What room to run. */
  spec: GameRoomSpec;
  /** Where the room is and how it is doing, written by the operator. */
  status?: GameRoomStatus;
}
