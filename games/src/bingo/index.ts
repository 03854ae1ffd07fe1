import { defineGame, GameRuleError } from '@gamebuddies/rooms';
import { requireHost, timerStep } from '../common.js';
import * as rules from './rules.js';
import { BingoAction, BingoSettings } from './schemas.js';
import { bingoView } from './view.js';

/**
 * BingoBuddies: everyone gets a distinct 5×5 card, the server draws on a timer, players mark what
 * was drawn and claim a line; the server checks the claim and the first true one wins.
 */
export const bingo = defineGame<rules.BingoState, BingoSettings, BingoAction>({
  gameType: 'bingo',
  displayName: 'BingoBuddies',
  minPlayers: 2,
  maxPlayers: 50,
  settingsSchema: BingoSettings,
  actionSchema: BingoAction,

  createState: () => rules.initialState(),

  onAction(state, action, ctx) {
    switch (action.type) {
      case 'start':
        requireHost(ctx.actor);
        if (state.stage === 'playing') throw new GameRuleError('The game is running');
        return rules.start(state, ctx);
      case 'draw':
        requireHost(ctx.actor);
        return rules.draw(state, ctx);
      case 'mark':
        return rules.mark(state, ctx.actor.id, action.cell);
      case 'unmark':
        return rules.unmark(state, ctx.actor.id, action.cell);
      case 'claim':
        return rules.claim(state, ctx.actor.id, ctx);
    }
  },

  onTimer(state, timer, ctx) {
    if (timer.name !== 'draw' || state.stage !== 'playing' || timerStep(timer.data) !== state.step)
      return state;
    return rules.draw(state, ctx);
  },

  onLeave(state, player, ctx) {
    if (state.stage !== 'playing') return state;
    return rules.removePlayer(state, player.id, ctx);
  },

  // Every stage change (a question, a hint turn, a vote, a draw) moves the step: an action sent
  // for an earlier one is refused as stale.
  turn: (state) => state.step,

  view: (state, viewer, ctx) => bingoView(state, viewer, ctx),
});
