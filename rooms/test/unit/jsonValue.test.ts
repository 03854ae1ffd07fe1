import { describe, expect, it } from '@jest/globals';
import { jsonClone, jsonShared } from '../../src/store/jsonValue.js';

/** Values a room may hold, including what JSON changes on the way (the Redis store keeps JSON). */
const samples: unknown[] = [
  { a: 1, b: 'x', c: [1, 'two', null, true], d: { e: { f: [] } } },
  { gone: undefined, fn: () => 1, kept: 0, nan: Number.NaN, inf: -Infinity },
  [undefined, () => 1, Symbol('s'), 3],
  { when: new Date(0), nested: { toJSON: () => 'custom' }, map: new Map([[1, 2]]) },
  Object.assign(Object.create(null) as object, { bare: true }),
];

describe('copies as JSON would make them (the memory store behaves like Redis)', () => {
  it('jsonClone equals a JSON round trip, and shares nothing with its input', () => {
    for (const value of samples) {
      const copy = jsonClone(value);
      expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
      if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
    }
    const input = { list: [{ deep: 1 }] };
    const copy = jsonClone(input);
    copy.list[0]!.deep = 2;
    expect(input.list[0]!.deep).toBe(1);
    expect(() => jsonClone({ big: 1n })).toThrow(TypeError);
  });

  it('jsonShared gives the stored value back when nothing changed as JSON, and shares unchanged parts', () => {
    for (const value of samples) {
      const stored = jsonClone(value);
      expect(jsonShared(jsonClone(value), stored)).toBe(stored);
      expect(jsonShared(value, stored)).toBe(stored);
    }
    const stored: { players: Array<{ id: string }>; game?: { score: number }; log: Array<{ v: number }> } =
      jsonClone({ players: [{ id: 'a' }, { id: 'b' }], game: { score: 1 }, log: [{ v: 1 }] });
    const draft = jsonClone(stored);
    draft.game!.score = 2;
    const next = jsonShared(draft, stored);
    expect(next).toStrictEqual(JSON.parse(JSON.stringify(draft)));
    expect(next).not.toBe(stored);
    expect(next.players).toBe(stored.players);
    expect(next.log).toBe(stored.log);
    expect(next.game).not.toBe(draft.game); // never the caller's own object
    // A key removed, added, or set to undefined is judged as JSON would.
    expect(jsonShared({ ...stored, game: undefined }, stored)).not.toBe(stored);
    const loose = stored as Record<string, unknown>;
    expect(jsonShared({ ...loose, extra: undefined }, loose)).toBe(stored);
    expect(jsonShared({ ...loose, extra: 0 }, loose)).toStrictEqual({ ...loose, extra: 0 });
  });
});
