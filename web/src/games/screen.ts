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
  name(id: string | null | undefined): string;
  /** Sends a game action; a refusal is shown to the player. */
  act(action: { type: string; [key: string]: unknown }): void;
}

/** Settings the generic settings form cannot discover from the room (optional lists). */
export interface ExtraSetting {
  key: string;
  label: string;
  kind: 'lines';
}

export interface GameScreen<View = unknown> {
  render(ctx: ScreenContext<View>): Child[];
  extraSettings?: ExtraSetting[];
  /** Runs when the room page closes or switches game (video calls hang up). */
  dispose?(): void;
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cat". */
export function names(ctx: ScreenContext<unknown>, ids: readonly string[]): string {
  const list = ids.map((id) => ctx.name(id));
  return list.length <= 1 ? (list[0] ?? 'nobody') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
