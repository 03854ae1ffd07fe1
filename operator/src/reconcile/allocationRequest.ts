import type { GameServerAllocation } from '../kube/agonesTypes.js';

/**
 * `"false"` on a GameServer: no new rooms. The Fleet's allocationOverflow sets it on old servers
 * during a rollout (so they empty and the rollout ends) and a drain sets it by hand. A server without
 * the label (one made before the chart set it) still takes rooms, so an upgrade places rooms at once.
 */
export const ACCEPTING_LABEL = 'gamebuddies.io/accepting';

export interface AllocationPolicy {
  gameTypeLabel: string;
  roomsList: string;
  strategy: 'least-loaded' | 'packed';
}

/**
 * The high-density pattern (Agones "High Density GameServers"): first an Allocated server with a free
 * room slot, then a Ready one; the room code goes into the chosen server's rooms List in the same
 * atomic step. Least-loaded sorts by most free slots over the whole fleet (Distributed); packed fills
 * the fullest server first (Packed, fewest free slots first).
 */
export function allocationRequest(
  gameType: string,
  code: string,
  policy: AllocationPolicy,
): GameServerAllocation {
  const matchLabels = { [policy.gameTypeLabel]: gameType };
  const matchExpressions = [{ key: ACCEPTING_LABEL, operator: 'NotIn' as const, values: ['false'] }];
  const lists = { [policy.roomsList]: { minAvailable: 1 } };
  const leastLoaded = policy.strategy === 'least-loaded';
  return {
    apiVersion: 'allocation.agones.dev/v1',
    kind: 'GameServerAllocation',
    spec: {
      selectors: [
        { matchLabels, matchExpressions, gameServerState: 'Allocated', lists },
        { matchLabels, matchExpressions, gameServerState: 'Ready', lists },
      ],
      scheduling: leastLoaded ? 'Distributed' : 'Packed',
      priorities: [{ type: 'List', key: policy.roomsList, order: leastLoaded ? 'Descending' : 'Ascending' }],
      lists: { [policy.roomsList]: { addValues: [code] } },
    },
  };
}
