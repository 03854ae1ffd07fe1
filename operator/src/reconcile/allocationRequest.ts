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
  strategy: 'spread' | 'pack';
}

/**
 * The high-density pattern (Agones "High Density GameServers"): the room code goes into the chosen
 * server's rooms List in the same atomic step as the allocation. Selectors are tried in order:
 * - pack: an Allocated server with a free room slot, the fullest first (fewest free slots,
 *   `Packed`), then a Ready one, so idle servers stay idle and can be scaled down;
 * - spread: a Ready (idle) server first, then the Allocated one with the most free slots
 *   (`Distributed`), so a busy server's players are not crowded by new rooms.
 */
export function allocationRequest(
  gameType: string,
  code: string,
  policy: AllocationPolicy,
): GameServerAllocation {
  const matchLabels = { [policy.gameTypeLabel]: gameType, [ACCEPTING_LABEL]: 'true' };
  const lists = { [policy.roomsList]: { minAvailable: 1 } };
  const allocated = { matchLabels, gameServerState: 'Allocated' as const, lists };
  const ready = { matchLabels, gameServerState: 'Ready' as const, lists };
  const spread = policy.strategy === 'spread';
  return {
    apiVersion: 'allocation.agones.dev/v1',
    kind: 'GameServerAllocation',
    spec: {
      selectors: spread ? [ready, allocated] : [allocated, ready],
      scheduling: spread ? 'Distributed' : 'Packed',
      priorities: [{ type: 'List', key: policy.roomsList, order: spread ? 'Descending' : 'Ascending' }],
      lists: { [policy.roomsList]: { addValues: [code] } },
    },
  };
}
