import { describe, expect, it } from '@jest/globals';
import { jsonClone, sameJson, storeJson } from '../../src/store/jsonValue.js';

/** Values a room may hold, including what JSON changes on the way (the Redis store keeps JSON). */
const samples: unknown[] = [
  { a: 1, b: 'x', c: [1, 'two', null, true], d: { e: { f: [] } } },
  { gone: undefined, fn: () => 1, kept: 0, nan: Number.NaN, inf: -Infinity },
  [undefined, () => 1, Symbol('s'), 3],
  { when: new Date(0), nested: { toJSON: () => 'custom' }, map: new Map([[1, 2]]) },
  Object.assign(Object.create(null) as object, { bare: true }),
  { [Symbol('s')]: { hidden: true }, shown: 1 },
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

  it('sameJson says whether a value would serialize as the stored JSON value does', () => {
    for (const value of samples) expect(sameJson(value, jsonClone(value))).toBe(true);
    const stored = jsonClone({ players: [{ id: 'a' }], game: { score: 1 } }) as Record<string, unknown>;
    expect(sameJson({ ...stored, extra: undefined, fn: () => 1 }, stored)).toBe(true);
    expect(sameJson({ ...stored, extra: 0 }, stored)).toBe(false);
    expect(sameJson({ ...stored, game: undefined }, stored)).toBe(false);
    expect(sameJson({ ...stored, game: { score: 2 } }, stored)).toBe(false);
    expect(sameJson({ ...stored, players: [{ id: 'a' }, { id: 'b' }] }, stored)).toBe(false);
    expect(sameJson({ ...stored, players: { 0: { id: 'a' } } }, stored)).toBe(false);
  });

  it('storeJson stores what JSON would, frozen below the top, sharing what did not change', () => {
    for (const value of samples) expect(storeJson(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
    const previous = storeJson<Record<string, unknown>>({
      players: [{ id: 'a' }],
      game: { score: 1 },
      version: 1,
    });
    const next = storeJson({ ...previous, game: { score: 2, gone: undefined }, version: 2 }, previous);
    expect(next).toStrictEqual({ players: [{ id: 'a' }], game: { score: 2 }, version: 2 });
    expect(Object.hasOwn(next.game as object, 'gone')).toBe(false);
    expect(next.players).toBe(previous.players);
    expect(Object.isFrozen(next.game)).toBe(true);
    // JSON text can hold an own "__proto__" key: it stays a key, and the prototype stays Object's.
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    for (const stored of [
      storeJson(parsed),
      storeJson({ nested: parsed }).nested as Record<string, unknown>,
    ]) {
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ x: 1 });
      expect(JSON.stringify(stored)).toBe('{"__proto__":{"x":1},"y":2}');
    }
    // A stored node without that key shares nothing with Object.prototype.
    const replaced = storeJson(JSON.parse('{"__proto__": {}}') as object, storeJson({}));
    expect(Object.getOwnPropertyDescriptor(replaced, '__proto__')?.value).not.toBe(Object.prototype);
  });
});
