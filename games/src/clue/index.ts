import { defineGame, GameRuleError } from '@gamebuddies/rooms';
import { requireHost, timerStep } from '../common.js';
import * as rules from './rules.js';
import { ClueAction, ClueSettings } from './schemas.js';
import { clueView } from './view.js';

/**
 * ClueScale: each round one player sees a secret number on a 1–10 scale between two extremes and
 * gives a clue; the others guess the number and score by how close they are. The giver rotates.
 */
export const clue = defineGame<rules.ClueState, ClueSettings, ClueAction>({
  gameType: 'clue',
  displayName: 'ClueScale',
  minPlayers: 2,
  maxPlayers: 20,
  settingsSchema: ClueSettings,
  actionSchema: ClueAction,

  createState: () => rules.initialState(),

  onAction(state, action, ctx) {
    switch (action.type) {
      case 'start':
        requireHost(ctx.actor);
        if (state.stage !== 'lobby' && state.stage !== 'finished') {
          throw new GameRuleError('The game is running');
        }
        return rules.start(state, ctx);
      case 'clue':
        return rules.giveClue(state, ctx.actor.id, action.text, ctx);
      case 'guess':
        return rules.guess(state, ctx.actor.id, action.value, ctx);
      case 'next':
        requireHost(ctx.actor);
        return rules.next(state, ctx);
    }
  },

  onTimer(state, timer, ctx) {
    if (timerStep(timer.data) !== state.step) return state;
    if (timer.name === 'clue' && state.stage === 'clue') return rules.reveal(state, ctx);
    if (timer.name === 'guess' && state.stage === 'guess') return rules.reveal(state, ctx);
    if (timer.name === 'advance' && state.stage === 'reveal') return rules.next(state, ctx);
    return state;
  },

  onLeave(state, player, ctx) {
    if (state.stage === 'lobby' || state.stage === 'finished') return state;
    return rules.removePlayer(state, player.id, ctx);
  },

  // Every stage change (a question, a hint turn, a vote, a draw) moves the step: an action sent
  // for an earlier one is refused as stale.
  turn: (state) => state.step,

  view: (state, viewer) => clueView(state, viewer),
});
