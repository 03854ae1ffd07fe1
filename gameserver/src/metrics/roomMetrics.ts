import type { RoomUpdate } from '@gamebuddies/rooms';
import type { GameMetrics } from './gameMetrics.js';

/** Counts what saved room changes did: games finished, room sizes, state updates. */
export function roomUpdateMetrics(metrics: GameMetrics): (update: RoomUpdate) => void {
  // Children bound once per game: counting through one skips hashing its labels on every change.
  const updates = new Map<string, { inc: () => void }>();
  const updatesOf = (gameType: string) => {
    let child = updates.get(gameType);
    if (!child) updates.set(gameType, (child = metrics.stateUpdates.labels({ game_type: gameType })));
    return child;
  };
  return ({ room, events }) => {
    for (const event of events) {
      if (event.type === 'finished') metrics.gamesCompleted.inc({ game_type: room.gameType });
      if (event.type === 'joined' || event.type === 'left')
        metrics.playersPerRoom.observe(room.players.length);
    }
    updatesOf(room.gameType).inc();
  };
}
