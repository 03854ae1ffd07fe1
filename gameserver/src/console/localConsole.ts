import {
  AppError,
  type ConsoleActionName,
  type ConsoleOverview,
  type ConsoleServer,
} from '@gamebuddies/protocol';
import type { GameRegistry, RoomOwnership, RoomService, RoomStore } from '@gamebuddies/rooms';
import { StoreConsoleReader, type ConsoleSource } from '@gamebuddies/rooms-api';

export interface LocalConsoleDeps {
  store: RoomStore;
  service: RoomService;
  ownership: RoomOwnership;
  games: GameRegistry;
  serverId: string;
  /** This process as the console shows it. */
  self: () => Promise<ConsoleServer>;
  /** Stops taking new rooms (the console's drain). */
  drain: () => void;
}

/**
 * The console on one game server: the picture from the store (every server sharing it), actions
 * run here through the room service, so they are broadcast to the room's players on every server
 * (the Redis adapter) and written to the room's history.
 */
export class LocalConsoleSource implements ConsoleSource {
  private readonly reader: StoreConsoleReader;

  constructor(private readonly deps: LocalConsoleDeps) {
    this.reader = new StoreConsoleReader(deps.store, deps.games);
  }

  private get serverId(): string {
    return this.deps.serverId;
  }

  async overview(): Promise<ConsoleOverview> {
    const picture = await this.reader.picture([await this.deps.self()]);
    // Moving needs another server sharing the store; draining another server needs that server.
    const actions: ConsoleActionName[] = ['close', 'kick', 'host', 'drain'];
    if (this.deps.store.durable) actions.push('move');
    return { at: Date.now(), ...picture, actions };
  }

  room(code: string) {
    return this.reader.room(code);
  }

  async close(code: string): Promise<void> {
    await this.deps.service.consoleClose(code);
  }

  async kick(code: string, playerId: string): Promise<void> {
    await this.deps.service.consoleKick(code, playerId);
  }

  async setHost(code: string, playerId: string): Promise<void> {
    await this.deps.service.consoleSetHost(code, playerId);
  }

  /** Only to this server: another one takes a room through its own front (the fleet asks it). */
  async move(code: string, serverId: string): Promise<void> {
    if (serverId !== this.serverId) {
      throw new AppError(
        'INVALID_ACTION',
        `Open the console on ${serverId} (or the fleet's) to move a room there`,
      );
    }
    if (!this.deps.store.durable)
      throw new AppError('INVALID_ACTION', 'Rooms move only with a shared store (REDIS_URL)');
    const before = await this.deps.service.getRoom(code);
    if (before.serverId === serverId)
      throw new AppError('INVALID_ACTION', `Room ${code} is already on ${serverId}`);
    await this.deps.service.consoleNote(
      code,
      'move',
      `moved the room from ${before.serverId} to ${serverId}`,
    );
    await this.deps.ownership.take(code);
  }

  async drain(serverId: string): Promise<void> {
    if (serverId !== this.serverId) {
      throw new AppError('INVALID_ACTION', `Open the console on ${serverId} (or the fleet's) to drain it`);
    }
    this.deps.drain();
    // A server action, written into the history of each room it holds (those rooms stay here).
    for (const code of await this.deps.store.listRoomCodes(this.serverId)) {
      await this.deps.service.consoleNote(code, 'drain', `drained ${this.serverId}`).catch(() => undefined);
    }
  }
}
