/**
 * Change detectors for polled values, shared by the status-watch node and anyone polling the PBX.
 * Pure: the previous values and the new poll in, the changes and the values to keep out.
 */

export interface Change<T> {
  key: string;
  value: T;
  /** Absent when the key is new (the first poll, or newly seen). */
  previous?: T;
}

export interface ChangeOptions<T> {
  /** Report keys seen for the first time (without `previous`). */
  initial: boolean;
  /** Equality of two values; default `===`. */
  same?: (a: T, b: T) => boolean;
}

/**
 * The keys whose value changed since `previous`. Keys missing from `current` are neither changed
 * nor forgotten (a PBX that skips an extension once has not reset it).
 */
export function valueChanges<T>(
  previous: ReadonlyMap<string, T>,
  current: Readonly<Record<string, T>>,
  keys: Iterable<string>,
  options: ChangeOptions<T>,
): { changes: Array<Change<T>>; next: Map<string, T> } {
  const same = options.same ?? ((a: T, b: T) => a === b);
  const next = new Map(previous);
  const changes: Array<Change<T>> = [];
  for (const key of keys) {
    if (!Object.hasOwn(current, key)) continue;
    const value = current[key];
    if (value === undefined) continue;
    const old = previous.get(key);
    next.set(key, value);
    if (old === undefined) {
      if (options.initial) changes.push({ key, value });
    } else if (!same(old, value)) {
      changes.push({ key, value, previous: old });
    }
  }
  return { changes, next };
}

/**
 * Channels that appeared and disappeared between two channel lists, keyed by channel name (by the
 * line itself where the PBX gave a line in an unknown shape). The first list (previous null) is
 * taken as it is: nothing started, nothing ended.
 */
export function channelChanges<C extends { channel?: string; raw: string }>(
  previous: ReadonlyMap<string, C> | null,
  current: readonly C[],
): { started: C[]; ended: C[]; next: Map<string, C> } {
  const next = new Map(current.map((c) => [c.channel ?? c.raw, c] as const));
  if (previous === null) return { started: [], ended: [], next };
  const started = [...next].filter(([k]) => !previous.has(k)).map(([, c]) => c);
  const ended = [...previous].filter(([k]) => !next.has(k)).map(([, c]) => c);
  return { started, ended, next };
}
