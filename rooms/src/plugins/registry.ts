import type { AnyGamePlugin } from './gamePlugin.js';

const GAME_TYPE = /^[a-z][a-z0-9-]{0,31}$/;

/** Game plugins by game type; each one becomes the Socket.IO namespace `/<gameType>`. */
export class GameRegistry {
  private readonly plugins = new Map<string, AnyGamePlugin>();

  constructor(plugins: AnyGamePlugin[] = []) {
    for (const plugin of plugins) this.register(plugin);
  }

  register(plugin: AnyGamePlugin): void {
    if (!GAME_TYPE.test(plugin.gameType)) throw new Error(`Invalid game type "${plugin.gameType}"`);
    if (this.plugins.has(plugin.gameType)) throw new Error(`Game type "${plugin.gameType}" registered twice`);
    this.plugins.set(plugin.gameType, plugin);
  }

  get(gameType: string): AnyGamePlugin | undefined {
    return this.plugins.get(gameType);
  }

  list(): AnyGamePlugin[] {
    return [...this.plugins.values()];
  }
}
