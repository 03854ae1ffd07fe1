import type { GameRoomStatusCondition } from '../crd/gameRoom.generated.js';

export interface ConditionUpdate {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * Sets a condition the Kubernetes way: `lastTransitionTime` moves only when the status flips, so
 * writing the same observation again changes nothing.
 */
export function setCondition(
  conditions: readonly GameRoomStatusCondition[] | undefined,
  update: ConditionUpdate,
  observedGeneration: number | undefined,
  now = new Date(),
): GameRoomStatusCondition[] {
  const current = (conditions ?? []).find((c) => c.type === update.type);
  const next: GameRoomStatusCondition = {
    ...update,
    lastTransitionTime:
      current && current.status === update.status ? current.lastTransitionTime : now.toISOString(),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  return [...(conditions ?? []).filter((c) => c.type !== update.type), next].sort((a, b) =>
    a.type.localeCompare(b.type),
  );
}
