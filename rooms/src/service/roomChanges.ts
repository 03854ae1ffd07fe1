import type { ChatMessage } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { RoomEvent, RoomUpdate, RoomUpdateListener } from '../room/roomEvents.js';
import { withLog } from '../room/roomLog.js';
import type { RoomRecord } from '../room/roomRecord.js';
import type { ChangeOptions, ChangeOutcome, RoomStore } from '../store/roomStore.js';

/**
 * Saves changes of rooms through the store and tells listeners what each saved change did: the
 * events the rules recorded, a phase change first, and whether the room's timers moved.
 */
export class RoomChanges {
  private readonly listeners: RoomUpdateListener[] = [];

  constructor(
    private readonly store: RoomStore,
    private readonly log: Logger,
  ) {}

  onUpdate(listener: RoomUpdateListener): void {
    this.listeners.push(listener);
  }

  async change<T>(
    code: string,
    mutate: (draft: RoomRecord, events: RoomEvent[], newChat: ChatMessage[]) => T,
    options: ChangeOptions = {},
  ): Promise<ChangeOutcome<T>> {
    let events: RoomEvent[] = [];
    let timersChanged = false;
    const outcome = await this.store.applyChange(
      code,
      (draft, newChat) => {
        events = []; // a store may run the change again after a concurrent write
        const timersBefore = JSON.stringify(draft.timers);
        const phaseBefore = draft.phase;
        const result = mutate(draft, events, newChat);
        timersChanged = JSON.stringify(draft.timers) !== timersBefore;
        // The phase change comes first: it is the context of whatever else happened (a game finished...).
        if (draft.phase !== phaseBefore)
          events.unshift({ type: 'phase', from: phaseBefore, to: draft.phase });
        return result;
      },
      { ...options, history: (draft) => withLog(draft.log, events, draft, draft.version, draft.updatedAt) },
    );
    if (outcome.changed) this.publish({ room: outcome.room, events, timersChanged });
    return outcome;
  }

  publish(update: RoomUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.log.error({ err: error, room: update.room.code }, 'room update listener failed');
      }
    }
  }
}
