import type { GameServerAllocation } from '../kube/agonesTypes.js';

/**
 * Only GameServers labelled `"true"` get new rooms (the chart's Fleet template sets it). The Fleet's
 * allocationOverflow sets `"false"` on old servers during a rollout, so they empty and the rollout
 * ends, and a drain sets it by hand. Servers without it (a Fleet of a chart before the label, whose
 * GameServerSet Agones never gives the overflow setting) get none either: the first upgrade ends too.
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
  const matchLabels = { [policy.gameTypeLabel]: gameType, [ACCEPTING_LABEL]: 'true' };
  const lists = { [policy.roomsList]: { minAvailable: 1 } };
  const leastLoaded = policy.strategy === 'least-loaded';
  return {
    apiVersion: 'allocation.agones.dev/v1',
    kind: 'GameServerAllocation',
    spec: {
      selectors: [
        { matchLabels, gameServerState: 'Allocated', lists },
        { matchLabels, gameServerState: 'Ready', lists },
      ],
      scheduling: leastLoaded ? 'Distributed' : 'Packed',
      priorities: [{ type: 'List', key: policy.roomsList, order: leastLoaded ? 'Descending' : 'Ascending' }],
      lists: { [policy.roomsList]: { addValues: [code] } },
    },
  };
}
