import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadPlan } from './loadResult.js';
import { Child, sleep } from './processes.js';
import type { FromWorker, PlayerSpec, Tick, ToWorker } from './workerProtocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** One forked process simulating players, and the last counters it reported. */
export interface WorkerHandle {
  child: ChildProcess;
  last?: Tick;
  final?: Tick;
  closed: boolean;
}

/** Forks the workers and waits until each has said hello; every tick they send lands in `ticks`. */
export async function startWorkers(count: number, ticks: Tick[]): Promise<WorkerHandle[]> {
  const workers: WorkerHandle[] = [];
  for (let i = 0; i < count; i++) {
    const child = fork(WORKER, [], {
      execArgv: ['--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    new Child('load worker', child); // killed with everything else if this process exits
    const handle: WorkerHandle = { child, closed: false };
    child.on('message', (message: FromWorker) => {
      if (message.type === 'tick') {
        handle.last = message;
        if (message.final) handle.final = message;
        ticks.push(message);
      } else if (message.type === 'closed') handle.closed = true;
    });
    workers.push(handle);
  }
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.child.once('message', () => resolve());
          w.child.once('exit', (code) => reject(new Error(`a load worker exited with ${code}`)));
        }),
    ),
  );
  return workers;
}

/** Rooms go to workers in turn; a room's players are spread over the ramp in room order. */
export function playerSpecs(plan: LoadPlan, workerCount: number): PlayerSpec[][] {
  const specs: PlayerSpec[][] = Array.from({ length: workerCount }, () => []);
  let index = 0;
  plan.rooms.forEach((room, r) => {
    const size = Math.min(plan.roomSize, plan.players - r * plan.roomSize);
    for (let seat = 0; seat < size; seat++, index++) {
      specs[r % workerCount]!.push({
        index,
        roomCode: room.code,
        url: room.urlFor(seat),
        server: room.server,
        token: seat === 0 ? room.hostToken : undefined,
        joinAfterMs: (index / plan.players) * plan.rampSec * 1000,
      });
    }
  });
  return specs;
}

export function send(worker: WorkerHandle, message: ToWorker): void {
  if (worker.child.connected) worker.child.send(message);
}

/** Asks every worker for its final counters and waits for them (at most `timeoutMs`). */
export async function collectFinalTicks(workers: WorkerHandle[], timeoutMs = 10_000): Promise<void> {
  for (const w of workers) send(w, { type: 'report' });
  const deadline = Date.now() + timeoutMs;
  while (workers.some((w) => !w.final) && Date.now() < deadline) await sleep(50);
}

/** The final counters of a worker, or the last it sent. */
export const lastTick = (w: WorkerHandle): Tick | undefined => w.final ?? w.last;

/** Sums one counter over every worker's latest tick. */
export function sumTicks(workers: WorkerHandle[], f: (t: Tick) => number, pick = lastTick): number {
  return workers.reduce((n, w) => {
    const tick = pick(w);
    return n + (tick ? f(tick) : 0);
  }, 0);
}

/** Asks the workers to close their players and exit; kills any that does not within 10 s. */
export async function closeWorkers(workers: WorkerHandle[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      const exited = new Promise((resolve) => w.child.once('exit', resolve));
      send(w, { type: 'close' });
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
