import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The parts of Agones' GameServer (agones.dev/v1) the operator reads. */
export interface GameServer {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: Record<string, unknown>;
  status?: {
    state?: GameServerState;
    address?: string;
    ports?: Array<{ name?: string; port?: number }>;
    nodeName?: string;
    counters?: Record<string, { count?: number; capacity?: number }>;
    lists?: Record<string, { capacity?: number; values?: string[] }>;
  };
}

export type GameServerState =
  | 'PortAllocation'
  | 'Creating'
  | 'Starting'
  | 'Scheduled'
  | 'RequestReady'
  | 'Ready'
  | 'Reserved'
  | 'Allocated'
  | 'Shutdown'
  | 'Error'
  | 'Unhealthy';

export const AGONES_GROUP = 'agones.dev';
export const AGONES_VERSION = 'v1';
export const GAMESERVERS = 'gameservers';

/** GameServerAllocation (allocation.agones.dev/v1): create-only, answered by Agones' allocator. */
export interface GameServerAllocation {
  apiVersion: 'allocation.agones.dev/v1';
  kind: 'GameServerAllocation';
  metadata?: V1ObjectMeta;
  spec: {
    selectors: Array<{
      matchLabels?: Record<string, string>;
      gameServerState?: 'Ready' | 'Allocated';
      lists?: Record<string, { containsValue?: string; minAvailable?: number; maxAvailable?: number }>;
    }>;
    scheduling?: 'Packed' | 'Distributed';
    priorities?: Array<{ type: 'Counter' | 'List'; key: string; order: 'Ascending' | 'Descending' }>;
    lists?: Record<string, { addValues?: string[]; deleteValues?: string[] }>;
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  status?: {
    state?: 'Allocated' | 'UnAllocated' | 'Contention';
    gameServerName?: string;
    address?: string;
    ports?: Array<{ name?: string; port?: number }>;
    nodeName?: string;
  };
}

/** A GameServer that can hold rooms: it exists, is not going away, and is up. */
export function isServing(gs: GameServer): boolean {
  const state = gs.status?.state;
  return (
    !gs.metadata?.deletionTimestamp && (state === 'Ready' || state === 'Allocated' || state === 'Reserved')
  );
}

export function roomsOf(gs: GameServer, listKey: string): string[] {
  return gs.status?.lists?.[listKey]?.values ?? [];
}

export function addressOf(gs: {
  status?: { address?: string; ports?: Array<{ port?: number }> };
}): string | undefined {
  const port = gs.status?.ports?.[0]?.port;
  return gs.status?.address && port ? `${gs.status.address}:${port}` : undefined;
}
