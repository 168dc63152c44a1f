import { EventEmitter } from 'node:events';
import type { StopReason } from './failures';

/**
 * What stops a camera stream's opening: its deadline, the caller's signal or close(). undici takes
 * an EventEmitter with `aborted` as a signal, which costs far less than an AbortController.
 */
export class Stop extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/**
 * The requests in flight that listen to one caller's signal. A node passes one signal with every
 * message (aborted when it closes); one listener per signal and a Set entry per request cost far
 * less than an addEventListener/removeEventListener pair on the signal per request.
 */
const listening = new WeakMap<AbortSignal, Set<Deadline>>();

function listen(signal: AbortSignal, deadline: Deadline): void {
  let set = listening.get(signal);
  if (!set) {
    const requests = new Set<Deadline>();
    listening.set(signal, (set = requests));
    signal.addEventListener(
      'abort',
      () => {
        for (const d of requests) d.stopFor('aborted');
        requests.clear();
      },
      { once: true },
    );
  }
  set.add(deadline);
}

/** One request's deadline and its caller's signal, both ending in one stop, and which of them fired. */
export class Deadline {
  /** Why the request was stopped on this side; null while it was not (or when close() stopped it). */
  reason: StopReason | null = null;
  private stopped = false;
  private stopEmitter: Stop | null = null;
  /** Called once when the request is stopped (the answer reader aborts its request). */
  private onStopped: (() => void) | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    if (!signal) return;
    if (signal.aborted) this.stopFor('aborted');
    else listen(signal, this);
  }

  /** The stop as an undici signal (a stream's opening); made when first asked for. */
  get stop(): Stop {
    if (!this.stopEmitter) {
      this.stopEmitter = new Stop();
      this.stopEmitter.aborted = this.stopped;
    }
    return this.stopEmitter;
  }

  /** Runs `fn` when the request is stopped, at once if it already was. */
  whenStopped(fn: () => void): void {
    if (this.stopped) fn();
    else this.onStopped = fn;
  }

  /** Stops the request (close(): no reason of this side's). */
  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    const fn = this.onStopped;
    this.onStopped = null;
    if (fn) fn();
    this.stopEmitter?.abort();
  }

  stopFor(reason: StopReason): void {
    if (this.stopped) return;
    this.reason = reason;
    this.abort();
  }

  /** The deadline no longer applies (a stream's headers are in); the caller's signal still does. */
  disarm(): void {
    clearTimeout(this.timer);
  }

  /** The request is over: neither the deadline nor the signal can stop it any more. */
  end(): void {
    clearTimeout(this.timer);
    this.onStopped = null;
    if (this.signal) listening.get(this.signal)?.delete(this);
  }

  private readonly onTimeout = (): void => {
    this.stopFor('timeout');
  };
}
