import { EventEmitter } from 'node:events';
import type { StopReason } from './failures';

/**
 * What stops one request: its deadline, the caller's signal or close(). undici takes an
 * EventEmitter with `aborted` as a signal, which costs far less per request than an
 * AbortController (one request's whole budget is a few microseconds).
 */
export class Stop extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/** One request's deadline and its caller's signal, both ending in one Stop, and which of them fired. */
export class Deadline {
  readonly stop = new Stop();
  /** Why the request was stopped on this side; null while it was not (or when close() stopped it). */
  reason: StopReason | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly timeoutMs: number, private readonly signal: AbortSignal | undefined) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The deadline no longer applies (a stream's headers are in); the caller's signal still does. */
  disarm(): void {
    clearTimeout(this.timer);
  }

  /** The request is over: neither the deadline nor the signal can stop it any more. */
  end(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onTimeout = (): void => {
    this.reason = 'timeout';
    this.stop.abort();
  };

  private readonly onAbort = (): void => {
    this.reason = 'aborted';
    this.stop.abort();
  };
}
