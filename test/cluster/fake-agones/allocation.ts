/**
 * FAKE Agones allocation logic (see README): what a GameServerAllocation does, as Agones documents
 * it (agones.dev/site/docs/reference/gameserverallocation), written for this project because Agones'
 * own module cannot be fetched here. Pure functions over GameServer objects; the allocator server
 * applies the result with an optimistic update.
 */

export interface ListStatus {
  capacity?: number;
  values?: string[];
}

export interface CounterStatus {
  count?: number;
  capacity?: number;
}

export interface GameServer {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    deletionTimestamp?: string | Date;
  };
  spec?: Record<string, unknown>;
  status?: {
    state?: string;
    address?: string;
    addresses?: unknown[];
    ports?: Array<{ name?: string; port?: number }>;
    nodeName?: string;
    lists?: Record<string, ListStatus>;
    counters?: Record<string, CounterStatus>;
  };
}

interface Range {
  minAvailable?: number;
  maxAvailable?: number;
}

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
  gameServerState?: 'Ready' | 'Allocated';
  lists?: Record<string, Range & { containsValue?: string }>;
  counters?: Record<string, Range & { minCount?: number; maxCount?: number }>;
}

export interface AllocationSpec {
  selectors?: Selector[];
  /** Deprecated single-selector forms Agones still accepts. */
  required?: Selector;
  preferred?: Selector[];
  scheduling?: 'Packed' | 'Distributed';
  priorities?: Array<{ type: 'Counter' | 'List'; key: string; order?: 'Ascending' | 'Descending' }>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  lists?: Record<string, { addValues?: string[]; deleteValues?: string[]; capacity?: number }>;
  counters?: Record<string, { action?: 'Increment' | 'Decrement'; amount?: number; capacity?: number }>;
}

const MAX_INT = Number.MAX_SAFE_INTEGER;

function available(entry: ListStatus | CounterStatus | undefined, kind: 'list' | 'counter'): number {
  if (!entry) return 0;
  const used =
    kind === 'list' ? ((entry as ListStatus).values?.length ?? 0) : ((entry as CounterStatus).count ?? 0);
  return Math.max(0, (entry.capacity ?? 0) - used);
}

function inRange(value: number, range: Range): boolean {
  const max = range.maxAvailable === undefined || range.maxAvailable === 0 ? MAX_INT : range.maxAvailable;
  return value >= (range.minAvailable ?? 0) && value <= max;
}

export function matches(gs: GameServer, selector: Selector): boolean {
  if (gs.metadata.deletionTimestamp) return false;
  if ((gs.status?.state ?? '') !== (selector.gameServerState ?? 'Ready')) return false;
  const labels = gs.metadata.labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value!))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value!)) return false;
  }
  for (const [key, filter] of Object.entries(selector.lists ?? {})) {
    const list = gs.status?.lists?.[key];
    if (!list) return false;
    if (filter.containsValue && !(list.values ?? []).includes(filter.containsValue)) return false;
    if (!inRange(available(list, 'list'), filter)) return false;
  }
  for (const [key, filter] of Object.entries(selector.counters ?? {})) {
    const counter = gs.status?.counters?.[key];
    if (!counter) return false;
    const count = counter.count ?? 0;
    const maxCount = filter.maxCount === undefined || filter.maxCount === 0 ? MAX_INT : filter.maxCount;
    if (count < (filter.minCount ?? 0) || count > maxCount) return false;
    if (!inRange(available(counter, 'counter'), filter)) return false;
  }
  return true;
}

/**
 * Orders candidates by the priorities (first priority most important): "Ascending lists smaller
 * available capacity first". Ties keep a stable order by name.
 */
export function sortByPriorities(
  candidates: GameServer[],
  priorities: AllocationSpec['priorities'] = [],
): GameServer[] {
  return [...candidates].sort((a, b) => {
    for (const p of priorities) {
      const kind = p.type === 'List' ? 'list' : 'counter';
      const of = (gs: GameServer) =>
        available(kind === 'list' ? gs.status?.lists?.[p.key] : gs.status?.counters?.[p.key], kind);
      const diff = of(a) - of(b);
      if (diff !== 0) return p.order === 'Descending' ? -diff : diff;
    }
    return a.metadata.name.localeCompare(b.metadata.name);
  });
}

export function selectorsOf(spec: AllocationSpec): Selector[] {
  if (spec.selectors?.length) return spec.selectors;
  return [...(spec.preferred ?? []), ...(spec.required ? [spec.required] : [{}])];
}

/** Candidates in the order Agones would try them: selector by selector, each sorted by priority. */
export function candidatesFor(servers: GameServer[], spec: AllocationSpec): GameServer[] {
  const seen = new Set<string>();
  const ordered: GameServer[] = [];
  for (const selector of selectorsOf(spec)) {
    for (const gs of sortByPriorities(
      servers.filter((s) => matches(s, selector)),
      spec.priorities,
    )) {
      if (!seen.has(gs.metadata.name)) {
        seen.add(gs.metadata.name);
        ordered.push(gs);
      }
    }
  }
  return ordered;
}

/** The GameServer after allocation: Allocated, metadata patched, list and counter actions applied. */
export function applyAllocation(gs: GameServer, spec: AllocationSpec): GameServer {
  const next: GameServer = structuredClone(gs);
  next.status = { ...next.status, state: 'Allocated' };
  next.metadata.labels = { ...next.metadata.labels, ...spec.metadata?.labels };
  next.metadata.annotations = { ...next.metadata.annotations, ...spec.metadata?.annotations };
  for (const [key, action] of Object.entries(spec.lists ?? {})) {
    const list: ListStatus = { ...next.status.lists?.[key] };
    if (action.capacity !== undefined) list.capacity = Math.min(1000, action.capacity);
    let values = [...(list.values ?? [])];
    // Duplicates are ignored; values beyond the list's capacity are not added.
    for (const value of action.addValues ?? []) {
      if (!values.includes(value) && values.length < (list.capacity ?? 0)) values.push(value);
    }
    values = values.filter((v) => !(action.deleteValues ?? []).includes(v));
    next.status.lists = { ...next.status.lists, [key]: { ...list, values } };
  }
  for (const [key, action] of Object.entries(spec.counters ?? {})) {
    const counter: CounterStatus = { ...next.status.counters?.[key] };
    if (action.capacity !== undefined) counter.capacity = action.capacity;
    const amount = action.amount ?? 0;
    const count = (counter.count ?? 0) + (action.action === 'Decrement' ? -amount : amount);
    counter.count = Math.max(0, Math.min(counter.capacity ?? MAX_INT, count));
    next.status.counters = { ...next.status.counters, [key]: counter };
  }
  return next;
}
