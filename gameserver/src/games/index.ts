import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import { rps } from './rps/index.js';

/** Games this server offers out of the box, one Socket.IO namespace each. */
export function builtinGames(): AnyGamePlugin[] {
  return [rps];
}
