import type { RoomSnapshot } from '@gamebuddies/protocol';
import type { Child } from '../dom.js';
import type { RoomClient } from '@gamebuddies/client';

/** What a game's screen gets to draw one player's view. */
export interface ScreenContext<View> {
  room: RoomSnapshot;
  game: View;
  me: string;
  isHost: boolean;
  client: RoomClient;
  /** A player's name, also for one who left ("Dan (left)"). */
  name(id: string | null | undefined): string;
  /**
   * Sends a game action for the turn on screen; resolves true once the server took it. A refusal is
   * shown to the player (a stale one is not: the game already moved on). `anyTurn` for actions that
   * name what they act on (a Bingo cell).
   */
  act(action: { type: string; [key: string]: unknown }, options?: { anyTurn?: boolean }): Promise<boolean>;
}

export interface GameScreen<View = unknown> {
  render(ctx: ScreenContext<View>): Child[];
  /** Runs when the room page closes or switches game (video calls hang up). */
  dispose?(): void;
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cat". */
export function names(ctx: ScreenContext<unknown>, ids: readonly string[]): string {
  const list = ids.map((id) => ctx.name(id));
  return list.length <= 1 ? (list[0] ?? 'nobody') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
