import type { AnyGamePlugin } from '@gamebuddies/rooms';
import { bingo } from './bingo/index.js';
import { clue } from './clue/index.js';
import { ddf } from './ddf/index.js';
import { rps } from './rps/index.js';
import { susd } from './susd/index.js';

/** Games this server offers out of the box, one Socket.IO namespace each. */
export function builtinGames(): AnyGamePlugin[] {
  return [rps, ddf, susd, bingo, clue];
}

export { bingo, clue, ddf, rps, susd };
