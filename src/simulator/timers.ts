// A set of timers that can all be cleared at once (reset(), close()).
// Every timer is unref'd: the simulator's server, not its timers, keeps a process alive.

export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();

  /** `after` runs after each timeout's function (the PBX's pushes look at what it changed). */
  constructor(private readonly after?: () => void) {}

  timeout(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.live.delete(t);
      fn();
      this.after?.();
    }, ms);
    t.unref();
    this.live.add(t);
    return t;
  }

  interval(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setInterval(fn, ms);
    t.unref();
    this.live.add(t);
    return t;
  }

  clear(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.live.delete(t);
  }

  clearAll(): void {
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}
