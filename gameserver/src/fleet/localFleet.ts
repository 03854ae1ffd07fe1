import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { AppError } from '@gamebuddies/protocol';
import type { Config } from '../config/config.js';
import type { Logger, RoomStore } from '@gamebuddies/rooms';
import { FleetMember } from './fleetMember.js';

const HEALTH_INTERVAL_MS = 1000;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * N game-server processes on one machine (the seed's Phase 2, and Phase 3 with REDIS_URL): rooms go
 * to the least-loaded member; a member that dies is restarted; with a shared store its rooms are
 * moved to live members at once instead of waiting for it.
 */
export class LocalFleet {
  readonly members: FleetMember[] = [];
  /** Without a shared store, the fleet remembers where each room is. */
  private readonly placements = new Map<string, FleetMember>();
  private healthTimer?: NodeJS.Timeout;

  private constructor(
    private readonly store: RoomStore | undefined,
    private readonly log: Logger,
  ) {}

  static async start(
    config: Config,
    size: number,
    namePrefix: string,
    store: RoomStore | undefined,
    log: Logger,
    lookupUrl: string,
  ): Promise<LocalFleet> {
    const fleet = new LocalFleet(store, log);
    const internalKey = randomBytes(32).toString('base64url');
    const host = config.host === '0.0.0.0' || config.host === '::' ? '0.0.0.0' : config.host;
    const publicHost = config.publicUrl
      ? new URL(config.publicUrl).hostname
      : host === '0.0.0.0'
        ? 'localhost'
        : host;
    const env = { ...process.env };
    // Players reach members directly, not through the proxy in front of the router: a member never
    // believes X-Forwarded-For.
    for (const key of ['PORT', 'SERVER_ID', 'PUBLIC_URL', 'API_KEYS', 'TRUST_PROXY']) delete env[key];
    // Members are reached only through the fleet's API and their own Socket.IO; the page creates
    // rooms at the fleet.
    env.OPEN_ROOM_CREATION = 'false';
    env.LOOKUP_URL = lookupUrl;
    // Members answer only the router's creates (no Idempotency-Key): a key of this fleet run will do.
    env.TOKEN_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
    const ports: number[] = [];
    for (let i = 1; i <= size; i++) ports.push(await freePort(host === '0.0.0.0' ? '127.0.0.1' : host));
    const urls = ports.map((port) => `http://${publicHost}:${port}`);
    // A page served by one member follows its room to another (Socket.IO's polling transport is CORS).
    env.CORS_ORIGINS = [...config.corsOrigins, lookupUrl, ...urls].join(',');
    for (const [index, port] of ports.entries()) {
      const member = new FleetMember(`${namePrefix}-${index + 1}`, port, urls[index]!, env, internalKey, log);
      member.onExit((dead) => void fleet.memberDied(dead));
      fleet.members.push(member);
      member.start();
    }
    fleet.healthTimer = setInterval(() => void fleet.checkAll(), HEALTH_INTERVAL_MS);
    fleet.healthTimer.unref();
    const deadline = Date.now() + 30_000;
    while (!fleet.members.every((m) => m.alive)) {
      if (Date.now() > deadline) {
        await fleet.stop();
        throw new Error('The local fleet did not start within 30 s');
      }
      await fleet.checkAll();
      await new Promise((r) => setTimeout(r, 100));
    }
    return fleet;
  }

  get shared(): boolean {
    return this.store !== undefined;
  }

  live(): FleetMember[] {
    return this.members.filter((m) => m.alive);
  }

  byId(id: string): FleetMember | undefined {
    return this.members.find((m) => m.id === id);
  }

  /** Least-loaded live member (rooms, then players): the seed's Phase 2 assignment. */
  leastLoaded(): FleetMember {
    const candidates = this.live().filter((m) => m.health?.status === 'healthy');
    if (candidates.length === 0) throw new AppError('NO_CAPACITY', 'No game server is available right now');
    return candidates.reduce((best, m) => {
      const load = (x: FleetMember) => [x.health?.rooms ?? Infinity, x.health?.players ?? 0] as const;
      const [a, b] = [load(m), load(best)];
      return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? m : best;
    });
  }

  /** A live member for a room, the same one for every player of the room while membership is stable. */
  stableFor(code: string): FleetMember {
    const live = this.live();
    if (live.length === 0) throw new AppError('NO_CAPACITY', 'No game server is available right now');
    const hash = createHash('sha256').update(code).digest().readUInt32BE(0);
    return live[hash % live.length]!;
  }

  remember(code: string, member: FleetMember): void {
    if (!this.shared) this.placements.set(code, member);
  }

  forget(code: string): void {
    this.placements.delete(code);
  }

  /** Where a room is: the store knows with REDIS_URL; otherwise the fleet remembers or asks. */
  async holderOf(code: string): Promise<{ member: FleetMember | undefined; url: string; gameType?: string }> {
    if (this.store) {
      const room = await this.store.loadRoom(code);
      if (!room) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
      const member = this.byId(room.serverId);
      return { member, url: room.url, gameType: room.gameType };
    }
    let member = this.placements.get(code);
    if (!member) {
      // Not created through this fleet run (the fleet restarted): ask every member.
      for (const candidate of this.live()) {
        const found = await candidate.request('GET', `/v1/rooms/${code}`).catch(() => undefined);
        if (found) {
          member = candidate;
          this.placements.set(code, candidate);
          break;
        }
      }
    }
    if (!member) throw new AppError('ROOM_NOT_FOUND', `Room ${code} does not exist`);
    return { member, url: member.url };
  }

  /** The member to ask about a room: its holder, or any live member when rooms are shared. */
  async memberFor(code: string): Promise<FleetMember> {
    const holder = await this.holderOf(code);
    return holder.member?.alive ? holder.member : this.shared ? this.stableFor(code) : holder.member!;
  }

  /** The shared store, when the fleet has one (REDIS_URL). */
  get sharedStore(): RoomStore | undefined {
    return this.store;
  }

  async stop(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    await Promise.all(this.members.map((m) => m.stop()));
    await this.store?.close();
  }

  private async checkAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.check()));
  }

  /**
   * A member died. Without a shared store its rooms died with it (Phase 2). With one, its rooms move
   * now: its heartbeat and leases are given up on its behalf and each room is claimed by a live
   * member, which adopts it (the room's URL becomes the member's) and frees the dead member's seats.
   */
  private async memberDied(dead: FleetMember): Promise<void> {
    if (!this.store) {
      for (const [code, member] of this.placements) if (member === dead) this.placements.delete(code);
      return;
    }
    try {
      const codes = await this.store.listRoomCodes(dead.id);
      await this.store.retireServer(dead.id);
      await Promise.all(codes.map((code) => this.store!.releaseRoom(code, dead.id)));
      let moved = 0;
      for (const code of codes) {
        if (this.live().length === 0) break;
        const member = this.stableFor(code);
        await member.request('POST', `/internal/rooms/${code}/claim`).then(
          () => moved++,
          (error: unknown) =>
            this.log.warn({ err: error, room: code, member: member.id }, 'could not move a room'),
        );
      }
      this.log.info({ member: dead.id, rooms: codes.length, moved }, 'moved the rooms of a dead game server');
    } catch (error) {
      this.log.error({ err: error, member: dead.id }, 'could not move the rooms of a dead game server');
    }
  }
}
