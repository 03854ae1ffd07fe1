import { z } from 'zod';

/** Names shown to other players: trimmed, 1..32 characters, no control characters. */
export const PlayerName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(32, 'name must be at most 32 characters')
  .regex(/^[^\p{Cc}]+$/u, 'name must not contain control characters');

export const Token = z.string().min(16).max(128);

export const JoinAuth = z.object({
  roomCode: z.string().min(1).max(16),
  name: PlayerName.optional(),
  token: Token.optional(),
});
export type JoinAuth = z.infer<typeof JoinAuth>;

export const EmptyPayload = z.looseObject({});
export const ChatPayload = z.object({ text: z.string().trim().min(1).max(500) });
/** `turn`: the game's turn the player acted on (see RoomSnapshot.turn); refused once stale. */
export const GameActionPayload = z.looseObject({
  type: z.string().min(1).max(64),
  turn: z.number().int().min(0).optional(),
});
export const PlayerTargetPayload = z.object({ playerId: z.string().min(1).max(64) });
/** Largest `data` of an `rtc:signal`, as JSON: an SDP offer with audio and video is well below it. */
export const RTC_SIGNAL_MAX_BYTES = 32 * 1024;
export const RtcSignalPayload = z.object({
  to: z.string().min(1).max(64),
  data: z
    .record(z.string(), z.unknown())
    .refine((data) => new TextEncoder().encode(JSON.stringify(data)).length <= RTC_SIGNAL_MAX_BYTES, {
      message: `data must be at most ${RTC_SIGNAL_MAX_BYTES} bytes as JSON`,
    }),
});
export const SettingsPayload = z.looseObject({
  maxPlayers: z.number().int().min(2).max(100).optional(),
});

export const CreateRoomBody = z.object({
  gameType: z.string().min(1).max(32),
  hostName: PlayerName.optional(),
  maxPlayers: z.number().int().min(2).max(100).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type CreateRoomBody = z.infer<typeof CreateRoomBody>;

/** Turns a zod failure into one readable sentence for an error message. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
