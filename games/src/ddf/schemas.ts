import { z } from 'zod';

export const DdfSettings = z.object({
  /** Questions each contestant answers per round before the vote. */
  questionsPerRound: z.number().int().min(1).max(5).default(2),
  answerSeconds: z.number().int().min(5).max(120).default(30),
  voteSeconds: z.number().int().min(5).max(300).default(60),
  /** How long the elimination is shown before the next round (the game master can move on sooner). */
  revealSeconds: z.number().int().min(2).max(60).default(10),
});
export type DdfSettings = z.infer<typeof DdfSettings>;

const PlayerId = z.string().min(1).max(64);

export const DdfAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  /** The game master replaces the current question by one of their own. */
  z.object({
    type: z.literal('ask'),
    question: z.string().trim().min(1).max(300),
    answer: z.string().trim().max(200).optional(),
  }),
  z.object({ type: z.literal('mark'), correct: z.boolean() }),
  z.object({ type: z.literal('vote'), playerId: PlayerId }),
  z.object({ type: z.literal('decide'), playerId: PlayerId }),
  z.object({ type: z.literal('next') }),
]);
export type DdfAction = z.infer<typeof DdfAction>;
