import type { RoomUpdate } from '@gamebuddies/rooms';
import type { GameMetrics } from './gameMetrics.js';

/** Counts what saved room changes did: games finished, room sizes, state updates. */
export function roomUpdateMetrics(metrics: GameMetrics): (update: RoomUpdate) => void {
  return ({ room, events }) => {
    for (const event of events) {
      if (event.type === 'finished') metrics.gamesCompleted.inc({ game_type: room.gameType });
      if (event.type === 'joined' || event.type === 'left')
        metrics.playersPerRoom.observe(room.players.length);
    }
    metrics.stateUpdates.inc({ game_type: room.gameType });
  };
}
