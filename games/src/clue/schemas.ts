import { z } from 'zod';

export const ClueSettings = z.object({
  /** How often each player gives the clue: the game has players × this many rounds. */
  roundsPerPlayer: z.number().int().min(1).max(3).default(1),
  clueSeconds: z.number().int().min(5).max(180).default(45),
  guessSeconds: z.number().int().min(5).max(180).default(45),
  revealSeconds: z.number().int().min(2).max(60).default(8),
  /** Scales to play on (a built-in list when absent). */
  categories: z
    .array(z.object({ low: z.string().trim().min(1).max(40), high: z.string().trim().min(1).max(40) }))
    .min(1)
    .max(200)
    .optional(),
});
export type ClueSettings = z.infer<typeof ClueSettings>;

export const SCALE_MIN = 1;
export const SCALE_MAX = 10;

export const ClueAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  /** Words only: a number in the clue would just say the target. */
  z.object({
    type: z.literal('clue'),
    text: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[^\p{N}]*$/u, 'a clue must not contain numbers'),
  }),
  z.object({ type: z.literal('guess'), value: z.number().int().min(SCALE_MIN).max(SCALE_MAX) }),
  z.object({ type: z.literal('next') }),
]);
export type ClueAction = z.infer<typeof ClueAction>;
