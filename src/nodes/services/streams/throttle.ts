// At most one frame per interval, and always the newest: frames that come faster replace the one
// waiting, they are never queued, so a fast camera and a slow flow cannot make memory grow.

/** `fps` from a node's dialog: 0.1 to 30, 2 when missing or not a positive number. */
export function framesPerSecond(value: unknown): number {
  const n = Number(value);
  if (value === '' || value === null || value === undefined || !Number.isFinite(n) || n <= 0) return 2;
  return Math.min(30, Math.max(0.1, n));
}

export class FrameThrottle {
  private last = -Infinity;
  private waiting: { data: Buffer; at: number } | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (data: Buffer, at: number) => void,
  ) {}

  offer(data: Buffer, at: number): void {
    const now = Date.now();
    if (!this.timer && now - this.last >= this.intervalMs) {
      this.last = now;
      this.send(data, at);
      return;
    }
    this.waiting = { data, at };
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.last + this.intervalMs - now));
  }

  private flush(): void {
    this.timer = undefined;
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    this.last = Date.now();
    this.send(w.data, w.at);
  }

  /** Drops the waiting frame and starts afresh. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = null;
    this.last = -Infinity;
  }
}
