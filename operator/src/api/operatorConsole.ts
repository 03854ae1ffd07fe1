import { fileURLToPath } from 'node:url';
import {
  AppError,
  type ConsoleClusterRoom,
  type ConsoleOverview,
  type ConsoleRoomDetail,
  type ConsoleServer,
} from '@gamebuddies/protocol';
import type { GameRegistry, RoomService, RoomStore } from '@gamebuddies/rooms';
import { StoreConsoleReader, type ConsoleSource, type RoomsBackend } from '@gamebuddies/rooms-api';

/** The built web page, where the operator finds the console page (the image copies `web/dist`). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** What the operator's informers know: the Agones GameServers, and a room's GameRoom and GameServer. */
export interface OperatorClusterView {
  servers(): ConsoleServer[];
  room(code: string): ConsoleClusterRoom;
}

const ON_THE_GAME_SERVER =
  'On a cluster this is done on the game server holding the room: its own /console acts and tells the players';

/**
 * The console on the operator: the picture from the shared store and the game servers' heartbeats;
 * closing a room deletes its GameRoom (the operator's finalizer closes it and tells its players).
 * The operator holds no player's socket, so kicks, host changes, moves and drains are refused here
 * (INVALID_ACTION) rather than written to the store behind the game servers' backs.
 */
export class OperatorConsoleSource implements ConsoleSource {
  private readonly reader: StoreConsoleReader;

  constructor(
    store: RoomStore,
    games: GameRegistry,
    private readonly service: RoomService,
    private readonly backend: RoomsBackend,
    private readonly cluster: OperatorClusterView,
  ) {
    this.reader = new StoreConsoleReader(store, games);
  }

  async overview(): Promise<ConsoleOverview> {
    return { at: Date.now(), ...(await this.reader.picture(this.cluster.servers())), actions: ['close'] };
  }

  async room(code: string): Promise<ConsoleRoomDetail> {
    return { ...(await this.reader.room(code)), cluster: this.cluster.room(code) };
  }

  async close(code: string): Promise<void> {
    await this.service.consoleNote(code, 'close', 'closed the room');
    await this.backend.deleteRoom(code);
  }

  kick(): Promise<void> {
    return Promise.reject(new AppError('INVALID_ACTION', ON_THE_GAME_SERVER));
  }

  setHost(): Promise<void> {
    return Promise.reject(new AppError('INVALID_ACTION', ON_THE_GAME_SERVER));
  }

  move(): Promise<void> {
    return Promise.reject(
      new AppError('INVALID_ACTION', 'On a cluster the operator places rooms (GameRoom)'),
    );
  }

  drain(): Promise<void> {
    return Promise.reject(
      new AppError('INVALID_ACTION', 'On a cluster drain a GameServer through Agones (scale its Fleet down)'),
    );
  }
}
