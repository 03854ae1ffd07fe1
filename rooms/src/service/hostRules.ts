import { AppError } from '@gamebuddies/protocol';
import type { RoomEvent } from '../room/roomEvents.js';
import type { RoomRecord } from '../room/roomRecord.js';
import { requireHost, requirePlayer } from './roomRules.js';

/** The host hands the role to another player. */
export function transferHost(
  draft: RoomRecord,
  actorId: string,
  targetId: string,
  events: RoomEvent[],
): void {
  const host = requireHost(draft, actorId);
  const target = requirePlayer(draft, targetId);
  if (target.id === host.id) throw new AppError('INVALID_ACTION', 'You are already the host');
  host.role = 'player';
  target.role = 'host';
  draft.hostId = target.id;
  events.push({ type: 'state' });
}

/** The host role goes to the longest-present player, preferring one who is connected. */
export function passHost(draft: RoomRecord): void {
  const byAge = [...draft.players].sort((a, b) => a.joinedAt - b.joinedAt);
  const next = byAge.find((p) => p.connected) ?? byAge[0];
  for (const p of draft.players) p.role = p === next ? 'host' : 'player';
  draft.hostId = next?.id ?? null;
}
