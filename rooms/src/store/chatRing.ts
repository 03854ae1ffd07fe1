import type { ChatMessage } from '@gamebuddies/protocol';
import { jsonClone, plain } from './jsonValue.js';

/**
 * A room's chat in the memory store: a ring buffer of the latest `capacity` lines, so adding a
 * line costs O(line) (it overwrites the oldest) however long the history.
 *
 * The lines are kept by field, one array per field, not as objects: a process holds a hundred lines
 * per room, and a line object costs more than its strings (a header, a property array for its fifth
 * field, a boxed number for `at`), about 80 bytes a line. Readers get new objects. A line of another
 * shape (a field missing or of another type, an extra field) cannot be split so and is kept whole.
 */
export class ChatRing {
  /** Made at the first line: a room nobody writes in holds none (idle players are most of them). */
  private columns: Columns | undefined;
  /** Lines that are not five plain fields, by slot; made on the first one. */
  private whole: Array<ChatMessage | undefined> | undefined;
  /** Index of the oldest line. */
  private start = 0;
  private count = 0;

  constructor(private readonly capacity: number) {}

  /**
   * What the ring will keep of `line`, made before anything is written (it may throw, as JSON does):
   * a plain line's five fields in a `PlainLine`, each read once, or any other line as JSON would
   * give it back. One object of a fixed shape is cheaper than the generic copy, whose property stores
   * are runtime calls in a busy server (see docs/performance.md), and nothing the caller does to its
   * line afterwards reaches the ring.
   */
  static keepable(line: ChatMessage): ChatMessage {
    return plainLine(line) ?? jsonClone(line);
  }

  /** Keeps `line`, what `keepable` gave: a plain line by field, any other whole. */
  add(line: ChatMessage): void {
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    if (line instanceof PlainLine) {
      const c = (this.columns ??= new Columns(this.capacity));
      c.ids[slot] = line.id;
      c.playerIds[slot] = line.playerId;
      c.names[slot] = line.name;
      c.texts[slot] = line.text;
      c.ats[slot] = line.at;
      if (this.whole) this.whole[slot] = undefined;
    } else {
      this.whole ??= new Array<ChatMessage | undefined>(this.capacity);
      this.whole[slot] = line;
    }
  }

  /** The lines oldest first, each a new object. */
  toArray(): ChatMessage[] {
    return this.latest(this.count);
  }

  /** The latest `n` lines (at most all of them), oldest first, each a new object. */
  latest(n: number): ChatMessage[] {
    const count = Math.min(n, this.count);
    const first = this.start + this.count - count;
    const out = new Array<ChatMessage>(count);
    for (let i = 0; i < count; i++) out[i] = this.line((first + i) % this.capacity);
    return out;
  }

  private line(slot: number): ChatMessage {
    const kept = this.whole?.[slot];
    if (kept !== undefined) return jsonClone(kept);
    const c = this.columns!;
    return {
      id: c.ids[slot]!,
      playerId: c.playerIds[slot]!,
      name: c.names[slot]!,
      text: c.texts[slot]!,
      at: c.ats[slot]!,
    };
  }
}

class Columns {
  readonly ids: string[];
  readonly playerIds: string[];
  readonly names: string[];
  readonly texts: string[];
  /** Numbers only, so V8 keeps them unboxed (a double array). */
  readonly ats: number[];

  constructor(capacity: number) {
    this.ids = new Array<string>(capacity).fill('');
    this.playerIds = new Array<string>(capacity).fill('');
    this.names = new Array<string>(capacity).fill('');
    this.texts = new Array<string>(capacity).fill('');
    this.ats = new Array<number>(capacity).fill(0.5);
  }
}

/** A line of ChatMessage's five fields, of their types: rebuilt from the columns, it is the same JSON. */
class PlainLine implements ChatMessage {
  constructor(
    readonly id: string,
    readonly playerId: string,
    readonly name: string,
    readonly text: string,
    readonly at: number,
  ) {}
}

/**
 * `line`'s fields, if JSON copies it field by field (`plain`), its own enumerable keys are exactly
 * ChatMessage's five, and their values are of their types (a finite `at`, as JSON keeps a number);
 * undefined otherwise.
 */
function plainLine(line: ChatMessage): PlainLine | undefined {
  if (typeof line !== 'object' || line === null || !plain(line)) return undefined;
  let keys = 0;
  for (const key in line) {
    if (!Object.hasOwn(line, key) || !isLineField(key)) return undefined;
    keys++;
  }
  if (keys !== 5) return undefined;
  const { id, playerId, name, text, at } = line;
  if (
    typeof id !== 'string' ||
    typeof playerId !== 'string' ||
    typeof name !== 'string' ||
    typeof text !== 'string' ||
    !Number.isFinite(at)
  )
    return undefined;
  return new PlainLine(id, playerId, name, text, at);
}

function isLineField(key: string): boolean {
  return key === 'id' || key === 'playerId' || key === 'name' || key === 'text' || key === 'at';
}
