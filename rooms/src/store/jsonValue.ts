/**
 * Copy and compare values as their JSON would be, without making the JSON. The memory store keeps
 * live objects, yet must behave like the Redis store, which keeps text: what it stores and hands out
 * is what `JSON.parse(JSON.stringify(value))` gives (undefined properties dropped, `NaN` → null, a
 * Date → its string), and a change is a no-op exactly when its JSON would be the same (key order
 * aside). Plain objects and arrays are walked; anything else (a class instance, `toJSON`) goes
 * through JSON itself, so the two never disagree.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const dropped = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** An object JSON copies field by field: a plain object or array, with no `toJSON` to ask. */
export function plain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null || proto === Array.prototype) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** A deep copy of `value` as JSON would give it back. */
export function jsonClone<T>(value: T): T {
  return cloneValue(value) as T;
}

function cloneValue(value: unknown): Json {
  // The common cases first, without a call: rooms are mostly strings, numbers and plain objects.
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null) return null;
  if (typeof value !== 'object') {
    // bigint throws, as JSON.stringify does; undefined, functions, symbols at the top give null.
    return JSON.parse(JSON.stringify(value) ?? 'null') as Json;
  }
  if (!plain(value)) return JSON.parse(JSON.stringify(value)) as Json;
  if (Array.isArray(value)) {
    const copy: Json[] = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      copy[i] = dropped(item) ? null : cloneValue(item);
    }
    return copy;
  }
  const copy: { [key: string]: Json } = {};
  // for…in, not Object.keys: no array per object (plain objects inherit nothing enumerable).
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (!dropped(item)) setKey(copy, key, cloneValue(item));
  }
  return copy;
}

/**
 * `target[key] = value` as `JSON.parse` does it: an own `"__proto__"` key (which JSON text and
 * spreads can make) stays a key. An assignment would set the copy's prototype instead and drop the
 * key, so the room would read back other than from Redis.
 */
function setKey(target: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Whether `value` would serialize to the same JSON as `stored` (a JSON value: what `jsonClone`
 * made), key order aside. Stops at the first difference.
 */
export function sameJson(value: unknown, stored: unknown): boolean {
  if (value === stored) return typeof value !== 'number' || Number.isFinite(value);
  // A Date, a toJSON: its JSON may be any JSON value (a Date's is a string).
  if (typeof value === 'object' && value !== null && !plain(value))
    return JSON.stringify(value) === JSON.stringify(stored);
  if (value === null || stored === null || typeof value !== 'object' || typeof stored !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return stored === null;
    return false;
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(stored) || value.length !== stored.length) return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (!(dropped(item) ? stored[i] === null : sameJson(item, stored[i]))) return false;
    }
    return true;
  }
  if (Array.isArray(stored)) return false;
  const kept = stored as Record<string, unknown>;
  let count = 0;
  // for…in, not Object.keys: no array per object (plain objects inherit nothing enumerable).
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (dropped(item)) continue;
    count++;
    if (!Object.hasOwn(kept, key) || !sameJson(item, kept[key])) return false;
  }
  for (const _key in kept) count--;
  return count === 0;
}

/**
 * `value` as an immutable JSON tree (what `jsonClone` gives, frozen), sharing every subtree that is,
 * or equals as JSON, the same place in `previous` (the stored value it replaces). A change then
 * costs new nodes only where it changed something: a chat line stores a new top and a new history
 * array, and shares the players, settings and game state with the version before. As with the no-op
 * check, key order is aside: a subtree rebuilt with the same content in another key order keeps the
 * stored order.
 *
 * A stored node is recognised where it stood (`value === previous`), or in a list that dropped its
 * head (a capped log: see `headDropped`); one a change moved otherwise (a player shifted down the
 * list) is copied again. Marking stored nodes instead (a WeakSet) cost more than those rare copies:
 * half a kilobyte of heap per player in `npm run bench` for its table, and a lookup per node.
 */
export function storeJson<T>(value: T, previous?: T): T {
  return storeValue(value, previous, true) as T;
}

/**
 * `top`: the root is left unfrozen. A store never hands its root out (a draft is a copy of it), and
 * V8 copies a frozen object's properties on a slow path: a shallow draft is a copy of the root.
 */
function storeValue(value: unknown, previous: unknown, top = false): Json {
  if (typeof value !== 'object' || value === null) return cloneValue(value);
  // A shallow draft's untouched parts are the stored ones themselves: no lookup needed.
  if (value === previous && !top) return value as Json;
  if (previous !== undefined && sameJson(value, previous)) return previous as Json;
  if (!plain(value)) return storeValue(JSON.parse(JSON.stringify(value)) as Json, previous);
  const before = typeof previous === 'object' && previous !== null ? previous : undefined;
  let copy: Json[] | { [key: string]: Json };
  if (Array.isArray(value)) {
    const items = new Array<Json>(value.length);
    const old = Array.isArray(before) ? (before as unknown[]) : undefined;
    const shift = old ? headDropped(value, old) : 0;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      items[i] = dropped(item) ? null : storeValue(item, old?.[i + shift]);
    }
    copy = items;
  } else {
    const old = before && !Array.isArray(before) ? (before as Record<string, unknown>) : undefined;
    copy = spreadFields(value as Record<string, unknown>, old) ?? addFields(value, old);
  }
  if (!top) Object.freeze(copy);
  return copy;
}

/**
 * The object's stored copy made by a spread, then its changed fields replaced: V8 copies a plain
 * object's fields in one step, where adding them one by one through a store site that sees every
 * shape of a room goes to the runtime for each new property (`npm run bench` under perf: the largest
 * part of a chat line's change). Replacing a field that exists is no transition, and an own
 * `"__proto__"` key the spread made is an own field too, so assigning it does not set the prototype.
 * Undefined when a spread would copy what JSON leaves out (a field JSON drops, a symbol key):
 * `addFields` makes that copy.
 */
function spreadFields(
  value: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
): { [key: string]: Json } | undefined {
  for (const key in value) if (dropped(value[key])) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const fields = { ...value };
  for (const key in fields) {
    const item = fields[key];
    const stored = storeValue(item, field(old, key));
    if (stored !== item) fields[key] = stored;
  }
  return fields as { [key: string]: Json };
}

function addFields(value: object, old: Record<string, unknown> | undefined): { [key: string]: Json } {
  const fields: { [key: string]: Json } = {};
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (!dropped(item)) setKey(fields, key, storeValue(item, field(old, key)));
  }
  return fields;
}

/** The stored node's own field: `old.__proto__` would read Object.prototype when it has no such key. */
function field(old: Record<string, unknown> | undefined, key: string): unknown {
  if (old === undefined) return undefined;
  return key !== '__proto__' || Object.hasOwn(old, key) ? old[key] : undefined;
}

/**
 * How many items `list` dropped from the head of `old` (the stored list it replaces): a capped log
 * that gained a line keeps its other lines one place earlier. 0 when its first item is not a node
 * of `old`.
 */
function headDropped(list: unknown[], old: unknown[]): number {
  const first = list[0];
  if (typeof first !== 'object' || first === null || first === old[0]) return 0;
  return Math.max(0, old.indexOf(first));
}
