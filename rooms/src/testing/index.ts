/** For game authors and tests: play a plugin through the real RoomService without sockets. */
export { GameHarness } from './gameHarness.js';
