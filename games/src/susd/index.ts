import { defineGame, GameRuleError } from '@gamebuddies/rooms';
import { requireHost, timerStep } from '../common.js';
import * as rules from './rules.js';
import { SusdAction, SusdSettings } from './schemas.js';
import { susdView } from './view.js';

/**
 * Impostor word game: everyone but one secret impostor gets the same word; players give one-word
 * hints in turn, then vote. The impostor wins if not caught, or by guessing the word when caught.
 */
export const susd = defineGame<rules.SusdState, SusdSettings, SusdAction>({
  gameType: 'susd',
  displayName: "SUS'D",
  minPlayers: rules.MIN_PLAYERS,
  maxPlayers: 16,
  settingsSchema: SusdSettings,
  actionSchema: SusdAction,

  createState: () => rules.initialState(),

  onAction(state, action, ctx) {
    switch (action.type) {
      case 'start':
        requireHost(ctx.actor);
        if (state.stage !== 'lobby' && state.stage !== 'finished') {
          throw new GameRuleError('The game is running');
        }
        return rules.start(state, ctx);
      case 'hint':
        return rules.giveHint(state, ctx.actor.id, action.word, ctx);
      case 'vote':
        return rules.vote(state, ctx.actor.id, action.playerId, ctx);
      case 'guess':
        return rules.guess(state, ctx.actor.id, action.word, ctx);
    }
  },

  onTimer(state, timer, ctx) {
    if (timerStep(timer.data) !== state.step) return state;
    if (timer.name === 'hint' && state.stage === 'hints')
      return rules.giveHint(state, state.queue[0]!, null, ctx);
    if (timer.name === 'vote' && state.stage === 'vote') return rules.closeVote(state, ctx);
    if (timer.name === 'guess' && state.stage === 'guess')
      return rules.guess(state, state.impostor!, null, ctx);
    return state;
  },

  onLeave(state, player, ctx) {
    if (state.stage === 'lobby' || state.stage === 'finished') return state;
    return rules.removePlayer(state, player.id, ctx);
  },

  // Every stage change (a question, a hint turn, a vote, a draw) moves the step: an action sent
  // for an earlier one is refused as stale.
  turn: (state) => state.step,

  view: (state, viewer) => susdView(state, viewer),
});
