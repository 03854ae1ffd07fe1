/** The game server as a library: start one (tests, the local fleet, embedding) and read its config. */
export { loadConfig, ConfigError, type Config } from './config/config.js';
export { startGameServer, type GameServer, type GameServerOptions } from './server.js';
