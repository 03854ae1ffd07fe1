import {
  CHAT_HISTORY_LIMIT,
  describeZodError,
  normalizeRoomCode,
  type CloseReason,
  type CreateRoomBody,
  type LeaveReason,
} from '@gamebuddies/protocol';
import { AppError } from '@gamebuddies/protocol';
import type { Logger } from '../logger.js';
import { GameRuleError, type AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { GameRegistry } from '../plugins/registry.js';
import type { RoomStore } from '../store/roomStore.js';
import { createGameContext, toGamePlayer } from '../plugins/gameContext.js';
import type { RoomEvent, RoomUpdate, RoomUpdateListener } from '../room/roomEvents.js';
import {
  GAME_TIMER_PREFIX,
  SEAT_TIMER_PREFIX,
  type PlayerRecord,
  type RoomRecord,
} from '../room/roomRecord.js';
import {
  hashToken,
  newMessageId,
  newPlayerId,
  newRoomCode,
  newSecretToken,
  sameHash,
} from '../room/tokens.js';

export interface RoomServiceOptions {
  serverId: string;
  publicUrl: string;
  maxRooms: number;
  reconnectGraceMs: number;
}

export interface JoinRequest {
  name?: string | undefined;
  token?: string | undefined;
  /** Id of the socket taking the seat. */
  connectionId: string;
  /** Namespace the player connected to: a room of another game is not found there. */
  gameType?: string;
}

export interface JoinResult {
  room: RoomRecord;
  player: PlayerRecord;
  /** Token the player rejoins with; a new one when the seat was new or taken with the host token. */
  sessionToken: string;
}

const CODE_ATTEMPTS = 20;

/**
 * The rules of a room: who may join, act, kick, lead. Every operation is one atomic change of the
 * stored room, so it is correct whichever server runs it; listeners learn of each saved change.
 */
export class RoomService {
  private readonly listeners: RoomUpdateListener[] = [];
  private creating = 0;
  private draining = false;

  constructor(
    private readonly store: RoomStore,
    private readonly games: GameRegistry,
    private readonly options: RoomServiceOptions,
    private readonly log: Logger,
  ) {}

  onUpdate(listener: RoomUpdateListener): void {
    this.listeners.push(listener);
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
    const plugin = this.pluginFor(input.gameType);
    const maxPlayers = input.maxPlayers ?? Math.min(plugin.maxPlayers, 100);
    if (maxPlayers > plugin.maxPlayers || maxPlayers < plugin.minPlayers) {
      throw new AppError(
        'INVALID_SETTINGS',
        `${plugin.displayName} is played by ${plugin.minPlayers} to ${plugin.maxPlayers} players`,
      );
    }
    const settings = parseSettings(plugin, input.settings ?? {});
    if (this.draining) throw new AppError('SERVER_DRAINING', 'This server is shutting down');

    // Check and count in one synchronous step so concurrent creations cannot overshoot.
    if ((await this.countRooms()) + this.creating >= this.options.maxRooms) {
      throw new AppError('NO_CAPACITY', `This server holds its maximum of ${this.options.maxRooms} rooms`);
    }
    this.creating++;
    try {
      const hostToken = newSecretToken();
      const now = Date.now();
      const room: RoomRecord = {
        code: '',
        gameType: plugin.gameType,
        version: 1,
        createdAt: now,
        updatedAt: now,
        serverId: this.options.serverId,
        url: this.options.publicUrl,
        hostTokenHash: hashToken(hostToken),
        hostClaimedBy: null,
        hostId: null,
        hostName: input.hostName ?? null,
        maxPlayers,
        settings,
        phase: 'lobby',
        players: [],
        chat: [],
        game: null,
        timers: [],
        results: null,
      };
      runHook(plugin, this.log, room, now, (ctx) => {
        room.game = plugin.createState(ctx);
      });
      if (options.code !== undefined) {
        room.code = requireCode(options.code);
        if ((await this.store.createRoom(room)) === 'code_taken') {
          throw new AppError('CONFLICT', `Room code ${room.code} is in use`);
        }
        this.publish({ room, events: [{ type: 'created' }], timersChanged: room.timers.length > 0 });
        return { room, hostToken };
      }
      for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        room.code = newRoomCode();
        if ((await this.store.createRoom(room)) === 'created') {
          this.publish({ room, events: [{ type: 'created' }], timersChanged: room.timers.length > 0 });
          return { room, hostToken };
        }
      }
      throw new AppError('INTERNAL', 'Could not find a free room code');
    } finally {
      this.creating--;
    }
  }

  async getRoom(rawCode: string): Promise<RoomRecord> {
    const code = requireCode(rawCode);
    const room = await this.store.loadRoom(code);
    if (!room) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    return room;
  }

  async join(rawCode: string, request: JoinRequest): Promise<JoinResult> {
    const code = requireCode(rawCode);
    const { result } = await this.change(code, (draft, events) => {
      if (request.gameType && request.gameType !== draft.gameType) {
        throw new AppError('ROOM_NOT_FOUND', `Room ${code} is not a ${request.gameType} room`);
      }
      const plugin = this.pluginFor(draft.gameType);
      const now = Date.now();
      if (request.token) {
        const tokenHash = hashToken(request.token);
        const seated = draft.players.find((p) => sameHash(p.sessionHash, tokenHash));
        if (seated) return this.reseat(draft, seated, request.token, request.connectionId, events);
        if (!sameHash(draft.hostTokenHash, tokenHash)) {
          throw new AppError('INVALID_TOKEN', 'This token does not belong to a seat in this room');
        }
        const claimed = draft.players.find((p) => p.id === draft.hostClaimedBy);
        // The host link was reloaded: same seat, fresh session token (the old one stops working).
        if (claimed) {
          const sessionToken = newSecretToken();
          claimed.sessionHash = hashToken(sessionToken);
          return this.reseat(draft, claimed, sessionToken, request.connectionId, events);
        }
        const name = request.name ?? draft.hostName;
        if (!name) throw new AppError('BAD_REQUEST', 'A name is required to join');
        return this.seat(draft, plugin, name, draft.hostId ? 'player' : 'host', request, now, events, true);
      }
      if (!request.name) throw new AppError('BAD_REQUEST', 'A name is required to join');
      return this.seat(draft, plugin, request.name, 'player', request, now, events, false);
    });
    return result;
  }

  /** A socket went away: the seat stays for the grace window, then a timer releases it. */
  async disconnect(code: string, playerId: string, connectionId: string): Promise<void> {
    await this.change(code, (draft, events) => {
      const player = draft.players.find((p) => p.id === playerId);
      if (!player || player.connectionId !== connectionId) return;
      this.markDisconnected(draft, player, events);
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
    options: { move?: boolean } = {},
  ): Promise<RoomRecord | null> {
    try {
      const { room } = await this.change(code, (draft, events) => {
        const holderGone = !liveServers.has(draft.serverId);
        if (draft.serverId !== this.options.serverId && (holderGone || options.move)) {
          draft.serverId = this.options.serverId;
          draft.url = this.options.publicUrl;
          events.push({ type: 'state' });
        }
        for (const player of draft.players) {
          if (player.connected && player.serverId && !liveServers.has(player.serverId)) {
            this.markDisconnected(draft, player, events);
          }
        }
      });
      return room;
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') return null;
      throw error;
    }
  }

  async leave(code: string, playerId: string): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      this.removePlayer(draft, requirePlayer(draft, playerId), 'left', events);
    });
    return room;
  }

  async chat(code: string, playerId: string, text: string): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      const player = requirePlayer(draft, playerId);
      const message = { id: newMessageId(), playerId, name: player.name, text, at: Date.now() };
      draft.chat.push(message);
      if (draft.chat.length > CHAT_HISTORY_LIMIT)
        draft.chat.splice(0, draft.chat.length - CHAT_HISTORY_LIMIT);
      events.push({ type: 'chat', message });
    });
    return room;
  }

  async act(code: string, playerId: string, payload: Record<string, unknown>): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      const actor = requirePlayer(draft, playerId);
      const plugin = this.pluginFor(draft.gameType);
      const parsed = plugin.actionSchema.safeParse(payload);
      if (!parsed.success) throw new AppError('INVALID_ACTION', describeZodError(parsed.error));
      const finished = runHook(plugin, this.log, draft, Date.now(), (_ctx, withActor) => {
        draft.game = plugin.onAction(draft.game, parsed.data, withActor(actor));
      });
      events.push({ type: 'state' });
      if (finished) events.push({ type: 'finished' });
    });
    return room;
  }

  async kick(code: string, actorId: string, targetId: string): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      requireHost(draft, actorId);
      if (targetId === actorId) throw new AppError('INVALID_ACTION', 'The host cannot kick themselves');
      this.removePlayer(draft, requirePlayer(draft, targetId), 'kicked', events);
    });
    return room;
  }

  async transferHost(code: string, actorId: string, targetId: string): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      const host = requireHost(draft, actorId);
      const target = requirePlayer(draft, targetId);
      if (target.id === host.id) throw new AppError('INVALID_ACTION', 'You are already the host');
      host.role = 'player';
      target.role = 'host';
      draft.hostId = target.id;
      events.push({ type: 'state' });
    });
    return room;
  }

  async updateSettings(code: string, actorId: string, payload: Record<string, unknown>): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      requireHost(draft, actorId);
      if (draft.phase === 'playing')
        throw new AppError('INVALID_ACTION', 'Settings cannot change during a game');
      const plugin = this.pluginFor(draft.gameType);
      const { maxPlayers, ...gameSettings } = payload;
      if (maxPlayers !== undefined) {
        const max = Number(maxPlayers);
        if (max < Math.max(plugin.minPlayers, draft.players.length) || max > plugin.maxPlayers) {
          throw new AppError(
            'INVALID_SETTINGS',
            `maxPlayers must be between ${Math.max(plugin.minPlayers, draft.players.length)} and ${plugin.maxPlayers}`,
          );
        }
        draft.maxPlayers = max;
      }
      draft.settings = parseSettings(plugin, { ...draft.settings, ...gameSettings });
      events.push({ type: 'state' });
    });
    return room;
  }

  /**
   * The host sends everyone back to the lobby (the seed's "return to lobby"): the game starts over
   * from fresh state and GameBuddies is told, so it can take the players back to its own lobby.
   */
  async returnToLobby(code: string, actorId: string): Promise<RoomRecord> {
    const { room } = await this.change(code, (draft, events) => {
      requireHost(draft, actorId);
      const plugin = this.pluginFor(draft.gameType);
      draft.timers = draft.timers.filter((t) => !t.key.startsWith(GAME_TIMER_PREFIX));
      draft.results = null;
      draft.phase = 'lobby';
      runHook(plugin, this.log, draft, Date.now(), (ctx) => {
        draft.game = plugin.createState(ctx);
      });
      events.push({ type: 'returned' }, { type: 'state' });
    });
    return room;
  }

  /** Runs every timer of the room that is due: seat releases and the game's own timers. */
  async fireDueTimers(code: string): Promise<RoomRecord | null> {
    try {
      const { room } = await this.change(code, (draft, events) => {
        const now = Date.now();
        const due = draft.timers.filter((t) => t.fireAt <= now).sort((a, b) => a.fireAt - b.fireAt);
        if (due.length === 0) return;
        draft.timers = draft.timers.filter((t) => t.fireAt > now);
        const plugin = this.pluginFor(draft.gameType);
        for (const timer of due) {
          if (timer.key.startsWith(SEAT_TIMER_PREFIX)) {
            const player = draft.players.find((p) => p.id === timer.key.slice(SEAT_TIMER_PREFIX.length));
            if (player && !player.connected) this.removePlayer(draft, player, 'expired', events);
            continue;
          }
          const name = timer.key.slice(timer.key.indexOf(':') + 1);
          if (!plugin.onTimer) continue;
          const finished = runHook(plugin, this.log, draft, now, (ctx) => {
            draft.game = plugin.onTimer!(draft.game, { name, data: timer.data ?? null }, ctx);
          });
          events.push({ type: 'state' });
          if (finished) events.push({ type: 'finished' });
        }
      });
      return room;
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') return null;
      throw error;
    }
  }

  async closeRoom(rawCode: string, reason: CloseReason): Promise<void> {
    const room = await this.getRoom(rawCode);
    await this.store.deleteRoom(room.code, reason);
    this.publish({ room, events: [{ type: 'closed', reason }], timersChanged: false });
  }

  private seat(
    draft: RoomRecord,
    plugin: AnyGamePlugin,
    requestedName: string,
    role: PlayerRecord['role'],
    request: JoinRequest,
    now: number,
    events: RoomEvent[],
    claimsHost: boolean,
  ): JoinResult {
    if (draft.players.length >= draft.maxPlayers) {
      throw new AppError('ROOM_FULL', `Room ${draft.code} is full (${draft.maxPlayers} players)`);
    }
    const sessionToken = newSecretToken();
    const player: PlayerRecord = {
      id: newPlayerId(),
      name: uniqueName(draft, requestedName),
      role,
      connected: true,
      joinedAt: now,
      disconnectedAt: null,
      sessionHash: hashToken(sessionToken),
      connectionId: request.connectionId,
      serverId: this.options.serverId,
    };
    draft.players.push(player);
    if (role === 'host') draft.hostId = player.id;
    if (claimsHost) draft.hostClaimedBy = player.id;
    if (plugin.onJoin) {
      const finished = runHook(plugin, this.log, draft, now, (ctx) => {
        draft.game = plugin.onJoin!(draft.game, toGamePlayer(player), ctx);
      });
      if (finished) events.push({ type: 'finished' });
    }
    events.push({ type: 'joined', playerId: player.id, name: player.name });
    return { room: draft, player, sessionToken };
  }

  private reseat(
    draft: RoomRecord,
    player: PlayerRecord,
    sessionToken: string,
    connectionId: string,
    events: RoomEvent[],
  ): JoinResult {
    player.connected = true;
    player.disconnectedAt = null;
    player.connectionId = connectionId;
    player.serverId = this.options.serverId;
    draft.timers = draft.timers.filter((t) => t.key !== SEAT_TIMER_PREFIX + player.id);
    events.push({ type: 'rejoined', playerId: player.id });
    return { room: draft, player, sessionToken };
  }

  private removePlayer(
    draft: RoomRecord,
    player: PlayerRecord,
    reason: LeaveReason,
    events: RoomEvent[],
  ): void {
    draft.players = draft.players.filter((p) => p.id !== player.id);
    draft.timers = draft.timers.filter((t) => t.key !== SEAT_TIMER_PREFIX + player.id);
    if (draft.hostId === player.id) passHost(draft);
    const plugin = this.pluginFor(draft.gameType);
    if (plugin.onLeave) {
      const finished = runHook(plugin, this.log, draft, Date.now(), (ctx) => {
        draft.game = plugin.onLeave!(draft.game, toGamePlayer(player), ctx);
      });
      if (finished) events.push({ type: 'finished' });
    }
    events.push({ type: 'left', playerId: player.id, name: player.name, reason });
  }

  private markDisconnected(draft: RoomRecord, player: PlayerRecord, events: RoomEvent[]): void {
    const now = Date.now();
    player.connected = false;
    player.connectionId = null;
    player.serverId = null;
    player.disconnectedAt = now;
    setSeatTimer(draft, player.id, now + this.options.reconnectGraceMs);
    events.push({ type: 'disconnected', playerId: player.id });
  }

  private async change<T>(code: string, mutate: (draft: RoomRecord, events: RoomEvent[]) => T) {
    let events: RoomEvent[] = [];
    let timersChanged = false;
    const outcome = await this.store.applyChange(code, (draft) => {
      events = []; // a store may run the change again after a concurrent write
      const timersBefore = JSON.stringify(draft.timers);
      const phaseBefore = draft.phase;
      const result = mutate(draft, events);
      timersChanged = JSON.stringify(draft.timers) !== timersBefore;
      // The phase change comes first: it is the context of whatever else happened (a game finished...).
      if (draft.phase !== phaseBefore) events.unshift({ type: 'phase', from: phaseBefore, to: draft.phase });
      return result;
    });
    if (outcome.changed) this.publish({ room: outcome.room, events, timersChanged });
    return outcome;
  }

  private publish(update: RoomUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.log.error({ err: error, room: update.room.code }, 'room update listener failed');
      }
    }
  }
}

function requireCode(raw: string): string {
  const code = normalizeRoomCode(raw);
  if (!code) throw new AppError('ROOM_NOT_FOUND', 'Room codes are 6 letters and digits');
  return code;
}

function requirePlayer(room: RoomRecord, playerId: string): PlayerRecord {
  const player = room.players.find((p) => p.id === playerId);
  if (!player) throw new AppError('PLAYER_NOT_FOUND', 'No such player in this room');
  return player;
}

function requireHost(room: RoomRecord, playerId: string): PlayerRecord {
  const player = requirePlayer(room, playerId);
  if (room.hostId !== player.id) throw new AppError('NOT_HOST', 'Only the host can do that');
  return player;
}

function setSeatTimer(draft: RoomRecord, playerId: string, fireAt: number): void {
  const key = SEAT_TIMER_PREFIX + playerId;
  draft.timers = draft.timers.filter((t) => t.key !== key);
  draft.timers.push({ key, fireAt });
}

/** The host role goes to the longest-present player, preferring one who is connected. */
function passHost(draft: RoomRecord): void {
  const byAge = [...draft.players].sort((a, b) => a.joinedAt - b.joinedAt);
  const next = byAge.find((p) => p.connected) ?? byAge[0];
  for (const p of draft.players) p.role = p === next ? 'host' : 'player';
  draft.hostId = next?.id ?? null;
}

function uniqueName(room: RoomRecord, name: string): string {
  const taken = new Set(room.players.map((p) => p.name.toLowerCase()));
  if (!taken.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, 28)} ${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

function parseSettings(plugin: AnyGamePlugin, input: Record<string, unknown>): Record<string, unknown> {
  const parsed = plugin.settingsSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_SETTINGS', describeZodError(parsed.error));
  return parsed.data as Record<string, unknown>;
}

/**
 * Runs a plugin hook against the draft and applies its effects. A rule violation becomes a typed
 * error; any other throw is a bug in the game, reported as INTERNAL. Either way the change is
 * abandoned, so a failing game can never leave a half-changed room behind.
 */
function runHook(
  plugin: AnyGamePlugin,
  log: Logger,
  draft: RoomRecord,
  now: number,
  hook: (
    ctx: ReturnType<typeof createGameContext>['ctx'],
    withActor: ReturnType<typeof createGameContext>['withActor'],
  ) => void,
): boolean {
  const context = createGameContext(draft, now);
  try {
    hook(context.ctx, context.withActor);
  } catch (error) {
    if (error instanceof GameRuleError) throw new AppError(error.code, error.message);
    if (error instanceof AppError) throw error;
    log.error({ err: error, gameType: plugin.gameType, room: draft.code }, 'game plugin failed');
    throw new AppError('INTERNAL', `${plugin.displayName} could not handle this`);
  }
  return context.apply(draft);
}
