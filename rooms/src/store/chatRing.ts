import type { ChatMessage } from '@gamebuddies/protocol';

/**
 * A room's chat in the memory store: a ring buffer of the latest `capacity` lines, so adding a
 * line costs O(line) (it overwrites the oldest) however long the history. The lines are the store's
 * own copies; readers get copies of them.
 */
export class ChatRing {
  private readonly lines: Array<ChatMessage | undefined>;
  /** Index of the oldest line. */
  private start = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.lines = new Array<ChatMessage | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  add(line: ChatMessage): void {
    if (this.count < this.capacity) {
      this.lines[(this.start + this.count) % this.capacity] = line;
      this.count++;
    } else {
      this.lines[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The lines oldest first, each copied by `copy`. */
  toArray(copy: (line: ChatMessage) => ChatMessage): ChatMessage[] {
    const out = new Array<ChatMessage>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = copy(this.lines[(this.start + i) % this.capacity]!);
    return out;
  }
}
