import { AppError, type LeaveReason } from '@gamebuddies/protocol';
import { toGamePlayer } from '../plugins/gameContext.js';
import type { AnyGamePlugin } from '../plugins/gamePlugin.js';
import type { RoomEvent } from '../room/roomEvents.js';
import {
  FORMER_PLAYERS_KEPT,
  SEAT_TIMER_PREFIX,
  type PlayerRecord,
  type RoomRecord,
} from '../room/roomRecord.js';
import { hashToken, newPlayerId, newSecretToken, sameHash } from '../room/tokens.js';
import { passHost } from './hostRules.js';
import { runHook } from './pluginRunner.js';
import type { RulesContext } from './roomRules.js';

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

/**
 * Seats a player: a session token takes back its seat, the host token claims (or re-claims) the
 * host's seat, a name alone takes a new seat.
 */
export function join(
  ctx: RulesContext,
  draft: RoomRecord,
  request: JoinRequest,
  events: RoomEvent[],
): JoinResult {
  if (request.gameType && request.gameType !== draft.gameType) {
    throw new AppError('ROOM_NOT_FOUND', `Room ${draft.code} is not a ${request.gameType} room`);
  }
  const plugin = ctx.pluginFor(draft.gameType);
  const now = Date.now();
  if (!request.token) {
    if (!request.name) throw new AppError('BAD_REQUEST', 'A name is required to join');
    return seat(
      ctx,
      draft,
      plugin,
      { name: request.name, role: 'player', request, now, claimsHost: false },
      events,
    );
  }
  const tokenHash = hashToken(request.token);
  const seated = draft.players.find((p) => sameHash(p.sessionHash, tokenHash));
  if (seated) return reseat(ctx, draft, seated, request.token, request.connectionId, events);
  if (!sameHash(draft.hostTokenHash, tokenHash)) {
    throw new AppError('INVALID_TOKEN', 'This token does not belong to a seat in this room');
  }
  const claimed = draft.players.find((p) => p.id === draft.hostClaimedBy);
  // The host link was reloaded: same seat, fresh session token (the old one stops working).
  if (claimed) {
    const sessionToken = newSecretToken();
    claimed.sessionHash = hashToken(sessionToken);
    return reseat(ctx, draft, claimed, sessionToken, request.connectionId, events);
  }
  const name = request.name ?? draft.hostName;
  if (!name) throw new AppError('BAD_REQUEST', 'A name is required to join');
  const role = draft.hostId ? 'player' : 'host';
  return seat(ctx, draft, plugin, { name, role, request, now, claimsHost: true }, events);
}

interface NewSeat {
  name: string;
  role: PlayerRecord['role'];
  request: JoinRequest;
  now: number;
  claimsHost: boolean;
}

function seat(
  ctx: RulesContext,
  draft: RoomRecord,
  plugin: AnyGamePlugin,
  { name, role, request, now, claimsHost }: NewSeat,
  events: RoomEvent[],
): JoinResult {
  if (draft.players.length >= draft.maxPlayers) {
    throw new AppError('ROOM_FULL', `Room ${draft.code} is full (${draft.maxPlayers} players)`);
  }
  const sessionToken = newSecretToken();
  const player: PlayerRecord = {
    id: newPlayerId(),
    name: uniqueName(draft, name),
    role,
    connected: true,
    joinedAt: now,
    disconnectedAt: null,
    sessionHash: hashToken(sessionToken),
    connectionId: request.connectionId,
    serverId: ctx.serverId,
  };
  draft.players.push(player);
  if (role === 'host') draft.hostId = player.id;
  if (claimsHost) draft.hostClaimedBy = player.id;
  if (plugin.onJoin) {
    const finished = runHook(plugin, ctx.log, draft, now, (gameCtx) => {
      draft.game = plugin.onJoin!(draft.game, toGamePlayer(player), gameCtx);
    });
    if (finished) events.push({ type: 'finished' });
  }
  events.push({ type: 'joined', playerId: player.id, name: player.name });
  return { room: draft, player, sessionToken };
}

function reseat(
  ctx: RulesContext,
  draft: RoomRecord,
  player: PlayerRecord,
  sessionToken: string,
  connectionId: string,
  events: RoomEvent[],
): JoinResult {
  restoreConnection(ctx, draft, player, connectionId, events);
  return { room: draft, player, sessionToken };
}

/** The seat is gone: the game hears of it, and the host role passes on if the host left. */
export function removePlayer(
  ctx: RulesContext,
  draft: RoomRecord,
  player: PlayerRecord,
  reason: LeaveReason,
  events: RoomEvent[],
): void {
  draft.players = draft.players.filter((p) => p.id !== player.id);
  const former = Object.entries({ ...draft.formerPlayers, [player.id]: player.name });
  draft.formerPlayers = Object.fromEntries(former.slice(-FORMER_PLAYERS_KEPT));
  draft.timers = draft.timers.filter((t) => t.key !== SEAT_TIMER_PREFIX + player.id);
  if (draft.hostId === player.id) passHost(draft);
  const plugin = ctx.pluginFor(draft.gameType);
  if (plugin.onLeave) {
    const finished = runHook(plugin, ctx.log, draft, Date.now(), (gameCtx) => {
      draft.game = plugin.onLeave!(draft.game, toGamePlayer(player), gameCtx);
    });
    if (finished) events.push({ type: 'finished' });
  }
  events.push({ type: 'left', playerId: player.id, name: player.name, reason });
}

/** The seat is connected again through `connectionId` (a rejoin, or a liveness lapse that was not a disconnect). */
export function restoreConnection(
  ctx: RulesContext,
  draft: RoomRecord,
  player: PlayerRecord,
  connectionId: string,
  events: RoomEvent[],
): void {
  player.connected = true;
  player.disconnectedAt = null;
  player.connectionId = connectionId;
  player.serverId = ctx.serverId;
  draft.timers = draft.timers.filter((t) => t.key !== SEAT_TIMER_PREFIX + player.id);
  events.push({ type: 'rejoined', playerId: player.id });
}

/** The socket went away: the seat stays for the reconnect window, then a timer frees it. */
export function markDisconnected(
  ctx: RulesContext,
  draft: RoomRecord,
  player: PlayerRecord,
  events: RoomEvent[],
): void {
  const now = Date.now();
  player.connected = false;
  player.connectionId = null;
  player.serverId = null;
  player.disconnectedAt = now;
  const key = SEAT_TIMER_PREFIX + player.id;
  draft.timers = draft.timers.filter((t) => t.key !== key);
  draft.timers.push({ key, fireAt: now + ctx.reconnectGraceMs });
  events.push({ type: 'disconnected', playerId: player.id });
}

function uniqueName(room: RoomRecord, name: string): string {
  const taken = new Set(room.players.map((p) => p.name.toLowerCase()));
  if (!taken.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, 28)} ${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
