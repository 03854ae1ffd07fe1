import { MemoryRoomStore } from '../store/memoryStore.js';
import { RoomService } from '../service/roomService.js';
import { GameRegistry } from '../plugins/registry.js';
import { snapshotFor } from '../room/snapshot.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import { createLogger } from '../logger.js';
import type { RoomSnapshot } from '@gamebuddies/protocol';

/**
 * Plays a game plugin through the real RoomService and an in-memory store, without sockets:
 * validation, effects, timers and views work exactly as on a server.
 */
export class GameHarness {
  readonly service: RoomService;
  readonly store = new MemoryRoomStore(3600);
  code = '';
  private connection = 0;

  constructor(readonly plugin: AnyGamePlugin) {
    this.service = new RoomService(
      this.store,
      new GameRegistry([plugin]),
      { serverId: 'test', publicUrl: 'http://test', maxRooms: 100, reconnectGraceMs: 60_000 },
      createLogger('silent'),
    );
  }

  /** Creates the room and seats the host and players (in that order); returns their ids. */
  async setup(
    names: string[],
    settings: Record<string, unknown> = {},
    maxPlayers?: number,
  ): Promise<string[]> {
    const { room, hostToken } = await this.service.createRoom({
      gameType: this.plugin.gameType,
      settings,
      maxPlayers,
    });
    this.code = room.code;
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      const { player } = await this.service.join(this.code, {
        name,
        token: i === 0 ? hostToken : undefined,
        connectionId: `c${this.connection++}`,
      });
      ids.push(player.id);
    }
    return ids;
  }

  act(playerId: string, action: Record<string, unknown> & { type: string }) {
    return this.service.act(this.code, playerId, action);
  }

  async room() {
    return this.service.getRoom(this.code);
  }

  /** What one player is sent. */
  async view(playerId: string): Promise<RoomSnapshot> {
    const room = await this.room();
    const player = room.players.find((p) => p.id === playerId)!;
    return snapshotFor(room, this.plugin, { playerId, role: player.role });
  }

  async game<T = any>(playerId: string): Promise<T> {
    return (await this.view(playerId)).game as T;
  }

  /** Names of the timers armed in the room. */
  async timers(): Promise<string[]> {
    return (await this.room()).timers.map((t) => t.key);
  }

  /** Makes the named game timer (or every timer) due now and runs it, as the server's scheduler would. */
  async fireTimer(name?: string): Promise<void> {
    await this.store.applyChange(this.code, (draft) => {
      for (const t of draft.timers) if (!name || t.key === `game:${name}`) t.fireAt = 0;
    });
    await this.service.fireDueTimers(this.code);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
