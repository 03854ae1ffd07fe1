import { defineGame, GameRuleError } from '@gamebuddies/rooms';
import { requireHost, timerStep } from '../common.js';
import * as rules from './rules.js';
import { DdfAction, DdfSettings } from './schemas.js';
import { ddfView } from './view.js';

/**
 * Quiz elimination: the game master asks each contestant in turn and judges the answers, then the
 * contestants vote one of their own out; the last one standing wins. Contestants see and hear each
 * other over peer-to-peer video, so this game opts in to the platform's WebRTC signal relay.
 */
export const ddf = defineGame<rules.DdfState, DdfSettings, DdfAction>({
  gameType: 'ddf',
  displayName: 'DDF Quiz',
  minPlayers: 3,
  maxPlayers: 12,
  relaysRtcSignals: true,
  settingsSchema: DdfSettings,
  actionSchema: DdfAction,

  createState: () => rules.initialState(),

  onAction(state, action, ctx) {
    if (action.type === 'start') {
      requireHost(ctx.actor);
      if (state.stage !== 'lobby' && state.stage !== 'finished')
        throw new GameRuleError('The game is running');
      return rules.start(state, ctx.actor.id, ctx);
    }
    if (action.type === 'vote') return rules.vote(state, ctx.actor.id, action.playerId, ctx);
    // Everything else is the game master's job.
    if (ctx.actor.id !== state.master)
      throw new GameRuleError('Only the game master can do that', 'NOT_HOST');
    switch (action.type) {
      case 'ask':
        return rules.ask(state, action.question, action.answer, ctx);
      case 'mark':
        return rules.judge(state, action.correct, false, ctx);
      case 'decide':
        return rules.decide(state, action.playerId, ctx);
      case 'next':
        return rules.nextRound(state, ctx);
    }
  },

  onTimer(state, timer, ctx) {
    if (timerStep(timer.data) !== state.step) return state;
    if (timer.name === 'answer' && state.stage === 'question') return rules.judge(state, false, true, ctx);
    if (timer.name === 'vote' && state.stage === 'vote') return rules.tally(state, ctx);
    if (timer.name === 'tiebreak' && state.stage === 'tiebreak') return rules.decideByChance(state, ctx);
    if (timer.name === 'advance' && state.stage === 'elimination') return rules.nextRound(state, ctx);
    return state;
  },

  onLeave(state, player, ctx) {
    if (state.stage === 'lobby' || state.stage === 'finished') return state;
    if (player.id === state.master) return rules.replaceMaster(state, ctx);
    return rules.removeContestant(state, player.id, 'left', ctx);
  },

  // Every stage change (a question, a hint turn, a vote, a draw) moves the step: an action sent
  // for an earlier one is refused as stale.
  turn: (state) => state.step,

  view: (state, viewer) => ddfView(state, viewer),
});
