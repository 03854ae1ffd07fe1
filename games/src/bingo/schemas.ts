import { z } from 'zod';
import { uniqueTexts } from '../common.js';

export const BingoSettings = z.object({
  /** `numbers`: classic 75-ball cards (B 1–15 … O 61–75). `words`: cards from the word list. */
  mode: z.enum(['numbers', 'words']).default('numbers'),
  /** Words for `words` mode (a built-in list when absent); a card needs 24 (25 without free centre). */
  words: uniqueTexts(30, 25, 200).optional(),
  /** Seconds between two draws. */
  drawSeconds: z.number().int().min(1).max(60).default(6),
  freeCenter: z.boolean().default(true),
});
export type BingoSettings = z.infer<typeof BingoSettings>;

const Cell = z.number().int().min(0).max(24);

export const BingoAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  /** The host calls the next draw now instead of waiting for the timer. */
  z.object({ type: z.literal('draw') }),
  z.object({ type: z.literal('mark'), cell: Cell }),
  z.object({ type: z.literal('unmark'), cell: Cell }),
  z.object({ type: z.literal('claim') }),
]);
export type BingoAction = z.infer<typeof BingoAction>;
