import { parseArgs } from 'node:util';
import { z } from 'zod';

/** `npm run load-test -- --help`. */
export const HELP = `Usage: npm run load-test -- [options]

Starts game servers (one process, or the local fleet with --servers N), optionally a redis-server,
creates rooms through the Rooms API and connects simulated players (@gamebuddies/client) from worker
processes. Players chat at --rate; every chat message carries its send time, so each delivery gives
the broadcast latency. Everything runs on loopback and is stopped at the end.

  --players N         simulated players (default 100)
  --servers N         game-server processes: 1 = one process, N > 1 = the local fleet (default 1)
  --redis true|false|cluster
                      rooms in a redis-server started for the run, or in a Redis Cluster of three
                      masters with a replica each (default false)
  --sticky true|false spread the players of each room over the servers, each player pinned to one
                      (a sticky load balancer; needs --redis true and --servers >= 2) (default false)
  --assignment MODE   hybrid: rooms placed by the fleet's Rooms API, players follow the join link
                      (/r/:code at the fleet); direct: players go straight to the room's server URL
                      (default hybrid)
  --room-size N       players per room (default 10)
  --game TYPE         game type of the rooms: rps, ddf, susd, bingo, clue (default rps)
  --rate R            chat messages per player per second (default 0.2)
  --duration S        seconds of steady load after the ramp (default 30)
  --ramp S            seconds over which players join (default 10)
  --workers N         load-generator processes (default: 1 up to 300 players, else 2)
  --json FILE         write the results as JSON
  --report FILE.html  write a self-contained HTML report (charts and summary)
  --quiet             no progress line
  --help              this text

Examples (the seed's Part 8):
  npm run load-test -- --players 500 --servers 1
  npm run load-test -- --players 1000 --servers 3 --assignment hybrid
  npm run load-test -- --players 5000 --servers 3 --redis true --sticky true
`;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const seconds = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const LoadTestOptions = z
  .object({
    players: int(1, 100_000).default(100),
    servers: int(1, 16).default(1),
    redis: z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'cluster'], { error: 'must be true, false or cluster' })
      .transform((v) => (v === 'cluster' ? ('cluster' as const) : v === 'true' || v === '1' || v === 'yes'))
      .default(false),
    sticky: bool.default(false),
    assignment: z.enum(['hybrid', 'direct'], { error: 'must be hybrid or direct' }).default('hybrid'),
    'room-size': int(1, 100).default(10),
    game: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a game type such as rps')
      .default('rps'),
    rate: seconds(0, 100).default(0.2),
    duration: seconds(1, 3600).default(30),
    ramp: seconds(0, 3600).default(10),
    workers: int(1, 64).optional(),
    json: z.string().min(1).optional(),
    report: z
      .string()
      .regex(/\.html?$/i, 'must end in .html')
      .optional(),
    quiet: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.sticky && !o.redis)
      ctx.addIssue({
        code: 'custom',
        path: ['sticky'],
        message: 'needs --redis true (players of one room on several servers share the room through Redis)',
      });
    if (o.sticky && o.servers < 2)
      ctx.addIssue({ code: 'custom', path: ['sticky'], message: 'needs --servers 2 or more' });
  })
  .transform((o) => ({
    players: o.players,
    servers: o.servers,
    redis: o.redis,
    sticky: o.sticky,
    assignment: o.assignment,
    roomSize: Math.min(o['room-size'], o.players),
    game: o.game,
    rate: o.rate,
    durationSec: o.duration,
    rampSec: o.ramp,
    workers: o.workers ?? (o.players <= 300 ? 1 : 2),
    json: o.json,
    report: o.report,
    quiet: o.quiet,
  }));

export type LoadTestConfig = z.infer<typeof LoadTestOptions>;

export class UsageError extends Error {}

const FLAGS = [
  'players',
  'servers',
  'redis',
  'sticky',
  'assignment',
  'room-size',
  'game',
  'rate',
  'duration',
  'ramp',
  'workers',
  'json',
  'report',
] as const;

/** Parses argv; throws UsageError with every problem, one per line; null when --help was asked. */
export function parseOptions(argv: string[]): LoadTestConfig | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  const { help: _help, ...rest } = values;
  const parsed = LoadTestOptions.safeParse(rest);
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => `--${issue.path.join('.') || 'options'}: ${issue.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}
