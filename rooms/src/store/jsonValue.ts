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

function plain(value: object): boolean {
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
    if (!dropped(item)) copy[key] = cloneValue(item);
  }
  return copy;
}

/**
 * `value` as JSON would give it back, sharing every part that equals the same part of `stored` (a
 * JSON value nobody mutates), and `stored` itself when the whole is the same: the no-op check and
 * the stored copy of a change in one walk, allocating only along what changed. The result is as
 * safe to keep as `jsonClone(value)`: it holds nothing of `value`'s own objects.
 */
export function jsonShared<T>(value: T, stored: T): T {
  return share(value, stored) as T;
}

function share(value: unknown, stored: unknown): unknown {
  if (value === stored && (typeof value === 'string' || typeof value === 'boolean' || value === null))
    return stored;
  if (typeof value !== 'object' || value === null) {
    const json = cloneValue(value);
    return json === stored ? stored : json;
  }
  if (!plain(value)) {
    const json = cloneValue(value);
    return JSON.stringify(json) === JSON.stringify(stored) ? stored : json;
  }
  if (stored === null || typeof stored !== 'object') return cloneValue(value);
  if (Array.isArray(value)) {
    if (!Array.isArray(stored)) return cloneValue(value);
    const copy: unknown[] = new Array<unknown>(value.length);
    let same = value.length === stored.length;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      copy[i] = dropped(item) ? null : share(item, stored[i]);
      if (copy[i] !== stored[i]) same = false;
    }
    return same ? stored : copy;
  }
  if (Array.isArray(stored)) return cloneValue(value);
  const kept = stored as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  let count = 0;
  let same = true;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (dropped(item)) continue;
    count++;
    const shared = Object.hasOwn(kept, key) ? share(item, kept[key]) : cloneValue(item);
    copy[key] = shared;
    if (shared !== kept[key]) same = false;
  }
  if (!same) return copy;
  let keptCount = 0;
  for (const _key in kept) keptCount++;
  return count === keptCount ? stored : copy;
}
