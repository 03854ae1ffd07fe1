import { z } from 'zod';
import { uniqueTexts } from '../common.js';

export const SusdSettings = z.object({
  /** Rounds of hints before the vote: every player gives one hint per round. */
  rounds: z.number().int().min(1).max(5).default(2),
  hintSeconds: z.number().int().min(5).max(120).default(30),
  voteSeconds: z.number().int().min(5).max(300).default(60),
  guessSeconds: z.number().int().min(5).max(120).default(30),
  /**
   * Secret words to draw from (built-in list when absent). Settings are visible to every player, the
   * impostor included, so a short list makes the impostor's final guess easy.
   */
  words: uniqueTexts(40, 5, 500).optional(),
});
export type SusdSettings = z.infer<typeof SusdSettings>;

/** One word: letters, digits, apostrophes and hyphens, no spaces. */
export const HintWord = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .regex(/^[\p{L}\p{N}'-]+$/u, 'a hint is a single word');

export const SusdAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('hint'), word: HintWord }),
  z.object({ type: z.literal('vote'), playerId: z.string().min(1).max(64) }),
  z.object({ type: z.literal('guess'), word: z.string().trim().min(1).max(40) }),
]);
export type SusdAction = z.infer<typeof SusdAction>;
