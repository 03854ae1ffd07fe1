import { AppError, type CloseReason, type CreateRoomBody } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { GameRegistry } from '../plugins/registry.js';
import type { RoomEvent, RoomUpdateListener } from '../room/roomEvents.js';
import type { RoomRecord, RoomWithChat } from '../room/roomRecord.js';
import { appendMove } from '../room/roomLog.js';
import { newMessageId, newRoomCode } from '../room/tokens.js';
import type { RoomStore } from '../store/roomStore.js';
import * as game from './gameRules.js';
import { transferHost } from './hostRules.js';
import { newRoomRecord } from './roomCreation.js';
import { RoomChanges } from './roomChanges.js';
import { requireCode, requireHost, requirePlayer, type RulesContext } from './roomRules.js';
import * as seats from './seats.js';

export type { JoinRequest, JoinResult } from './seats.js';

export interface RoomServiceOptions {
  serverId: string;
  publicUrl: string;
  maxRooms: number;
  reconnectGraceMs: number;
}

const CODE_ATTEMPTS = 20;

/**
 * The rules of a room: who may join, act, kick, lead. Every operation is one atomic change of the
 * stored room, so it is correct whichever server runs it; listeners learn of each saved change.
 * The rules themselves live beside this file (seats, host rules, game rules); this class runs them
 * as changes of the store.
 */
export class RoomService {
  private readonly changes: RoomChanges;
  private readonly rules: RulesContext;
  private creating = 0;
  private draining = false;

  constructor(
    private readonly store: RoomStore,
    private readonly games: GameRegistry,
    private readonly options: RoomServiceOptions,
    log: Logger,
  ) {
    this.changes = new RoomChanges(store, log);
    this.rules = {
      serverId: options.serverId,
      reconnectGraceMs: options.reconnectGraceMs,
      log,
      pluginFor: (gameType) => this.pluginFor(gameType),
    };
  }

  onUpdate(listener: RoomUpdateListener): void {
    this.changes.onUpdate(listener);
  }

  /** From now on no room is created here (shutdown). */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  pluginFor(gameType: string): AnyGamePlugin {
    const plugin = this.games.get(gameType);
    if (!plugin) throw new AppError('UNKNOWN_GAME_TYPE', `Unknown game type "${gameType}"`);
    return plugin;
  }

  async countRooms(): Promise<number> {
    return this.store.countRooms(this.options.serverId);
  }

  /**
   * Creates a room with a random code, or with `options.code` (a code chosen elsewhere, such as a
   * GameRoom's spec): then CONFLICT if a live room holds it.
   */
  async createRoom(
    input: CreateRoomBody,
    options: { code?: string } = {},
  ): Promise<{ room: RoomRecord; hostToken: string }> {
    const { room, hostToken } = newRoomRecord(
      this.rules,
      this.pluginFor(input.gameType),
      input,
      this.options.publicUrl,
    );
    if (this.draining) throw new AppError('SERVER_DRAINING', 'This server is shutting down');
    // Check and count in one synchronous step so concurrent creations cannot overshoot.
    if ((await this.countRooms()) + this.creating >= this.options.maxRooms) {
      throw new AppError('NO_CAPACITY', `This server holds its maximum of ${this.options.maxRooms} rooms`);
    }
    this.creating++;
    try {
      const created = () =>
        this.changes.publish({
          room: { ...room, chat: [] },
          events: [{ type: 'created' }],
          timersChanged: room.timers.length > 0,
        });
      if (options.code !== undefined) {
        room.code = requireCode(options.code);
        if ((await this.store.createRoom(room)) === 'code_taken') {
          throw new AppError('CONFLICT', `Room code ${room.code} is in use`);
        }
        created();
        return { room, hostToken };
      }
      for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        room.code = newRoomCode();
        if ((await this.store.createRoom(room)) === 'created') {
          created();
          return { room, hostToken };
        }
      }
      throw new AppError('INTERNAL', 'Could not find a free room code');
    } finally {
      this.creating--;
    }
  }

  async getRoom(rawCode: string): Promise<RoomWithChat> {
    const code = requireCode(rawCode);
    const room = await this.store.loadRoom(code);
    if (!room) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    return room;
  }

  async join(rawCode: string, request: seats.JoinRequest): Promise<seats.JoinResult> {
    const { result } = await this.changes.change(requireCode(rawCode), (draft, events) =>
      seats.join(this.rules, draft, request, events),
    );
    return result;
  }

  /** A socket went away: the seat stays for the grace window, then a timer releases it. */
  async disconnect(code: string, playerId: string, connectionId: string): Promise<void> {
    await this.changes.change(code, (draft, events) => {
      const player = draft.players.find((p) => p.id === playerId);
      if (!player || player.connectionId !== connectionId) return;
      seats.markDisconnected(this.rules, draft, player, events);
    });
  }

  /**
   * This server now runs the room. If the server that held it is gone, or an orchestrator moved the
   * room here (`move`), the room's address becomes this server's; seats held through dead servers
   * start their reconnect window.
   */
  async adopt(
    code: string,
    liveServers: ReadonlySet<string>,
    options: { move?: boolean; ownerToken?: string } = {},
  ): Promise<RoomWithChat | null> {
    return this.unlessGone(async () => {
      const { room } = await this.changes.change(
        code,
        (draft, events) => {
          const holderGone = !liveServers.has(draft.serverId);
          if (draft.serverId !== this.options.serverId && (holderGone || options.move)) {
            const reason = options.move ? 'moved' : 'failover';
            events.push({ type: 'moved', from: draft.serverId, to: this.options.serverId, reason });
            draft.serverId = this.options.serverId;
            draft.url = this.options.publicUrl;
            appendMove(draft, { serverId: draft.serverId, url: draft.url, at: Date.now(), reason });
          }
          for (const player of draft.players) {
            if (player.connected && player.serverId && !liveServers.has(player.serverId)) {
              seats.markDisconnected(this.rules, draft, player, events);
            }
          }
        },
        options.ownerToken === undefined ? {} : { ownerToken: options.ownerToken },
      );
      return room;
    });
  }

  async leave(code: string, playerId: string): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) => {
      seats.removePlayer(this.rules, draft, requirePlayer(draft, playerId), 'left', events);
    });
  }

  /**
   * Adds a line to the room's chat (the store keeps the latest CHAT_HISTORY_LIMIT). The room it
   * resolves to carries only this line in `chat`: the sender is told the version, and the history is
   * not read back for it (a line costs the store O(line)).
   */
  async chat(code: string, playerId: string, text: string): Promise<RoomWithChat> {
    const { room } = await this.changes.change(
      code,
      (draft, events, newChat) => {
        const player = requirePlayer(draft, playerId);
        const message = { id: newMessageId(), playerId, name: player.name, text, at: Date.now() };
        newChat.push(message);
        events.push({ type: 'chat', message });
      },
      // Reads the seat, adds a history line (a new array): nothing nested is edited in place.
      { chat: 'added', shallow: true },
    );
    return room;
  }

  async act(code: string, playerId: string, payload: Record<string, unknown>): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) => game.act(this.rules, draft, playerId, payload, events));
  }

  async kick(code: string, actorId: string, targetId: string): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) => {
      requireHost(draft, actorId);
      if (targetId === actorId) throw new AppError('INVALID_ACTION', 'The host cannot kick themselves');
      seats.removePlayer(this.rules, draft, requirePlayer(draft, targetId), 'kicked', events);
    });
  }

  async transferHost(code: string, actorId: string, targetId: string): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) => transferHost(draft, actorId, targetId, events));
  }

  async updateSettings(
    code: string,
    actorId: string,
    payload: Record<string, unknown>,
  ): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) =>
      game.updateSettings(this.rules, draft, actorId, payload, events),
    );
  }

  async returnToLobby(code: string, actorId: string): Promise<RoomWithChat> {
    return this.changed(code, (draft, events) => game.returnToLobby(this.rules, draft, actorId, events));
  }

  /** Runs every timer of the room that is due: seat releases and the game's own timers. */
  /** `ownerToken`: the lease token of the server running the room (its write is fenced by it). */
  async fireDueTimers(code: string, ownerToken?: string): Promise<RoomWithChat | null> {
    return this.unlessGone(() =>
      this.changed(code, (draft, events) => game.fireDueTimers(this.rules, draft, events), ownerToken),
    );
  }

  /**
   * Seats this server's sockets still hold but the room shows as disconnected (another server freed
   * them while this one's heartbeat had lapsed): connected again, their reconnect timers cancelled.
   */
  async restoreSeats(
    code: string,
    held: ReadonlyArray<{ playerId: string; connectionId: string }>,
  ): Promise<RoomWithChat | null> {
    return this.unlessGone(() =>
      this.changed(code, (draft, events) => {
        for (const { playerId, connectionId } of held) {
          const player = draft.players.find((p) => p.id === playerId);
          if (player && !player.connected)
            seats.restoreConnection(this.rules, draft, player, connectionId, events);
        }
      }),
    );
  }

  /** The operator's console removes a player (as the host's kick does), whoever is host. */
  async consoleKick(code: string, targetId: string): Promise<RoomWithChat> {
    return this.changed(requireCode(code), (draft, events) => {
      const target = requirePlayer(draft, targetId);
      events.push({ type: 'console', action: 'kick', text: `kicked ${target.name}` });
      seats.removePlayer(this.rules, draft, target, 'kicked', events);
    });
  }

  /** The operator's console gives the host role to a player. */
  async consoleSetHost(code: string, targetId: string): Promise<RoomWithChat> {
    return this.changed(requireCode(code), (draft, events) => {
      const target = requirePlayer(draft, targetId);
      if (target.role === 'host') throw new AppError('INVALID_ACTION', `${target.name} is already the host`);
      for (const p of draft.players) p.role = p === target ? 'host' : 'player';
      draft.hostId = target.id;
      events.push({ type: 'console', action: 'host', text: `passed the host role to ${target.name}` });
    });
  }

  /**
   * The operator's console closes the room: the close is written to the room's history first (a
   * durable record that it was the console), then the room is deleted and its players told.
   */
  async consoleClose(code: string): Promise<void> {
    await this.changed(requireCode(code), (_draft, events) => {
      events.push({ type: 'console', action: 'close', text: 'closed the room' });
    });
    await this.closeRoom(code, 'deleted');
  }

  /** Writes a console action done elsewhere (a move, a drain) into the room's history. */
  async consoleNote(code: string, action: string, text: string): Promise<RoomWithChat> {
    return this.changed(requireCode(code), (_draft, events) => {
      events.push({ type: 'console', action, text });
    });
  }

  async closeRoom(rawCode: string, reason: CloseReason): Promise<void> {
    const room = await this.getRoom(rawCode);
    await this.store.deleteRoom(room.code, reason);
    this.changes.publish({ room, events: [{ type: 'closed', reason }], timersChanged: false });
  }

  private async changed(
    code: string,
    mutate: (draft: RoomRecord, events: RoomEvent[]) => void,
    ownerToken?: string,
  ): Promise<RoomWithChat> {
    return (await this.changes.change(code, mutate, ownerToken === undefined ? {} : { ownerToken })).room;
  }

  /** A room that is gone by the time its turn comes is null, not an error (timers, adoption). */
  private async unlessGone(work: () => Promise<RoomWithChat>): Promise<RoomWithChat | null> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') return null;
      throw error;
    }
  }
}
