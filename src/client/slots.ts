import { AbortedError } from './errors';

/** Counts requests in flight; the rest wait in order. */
export class Slots {
  private free: number;
  private readonly waiting: Array<{ grant: () => void; fail: (err: Error) => void }> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Nothing when a slot is free now (no promise to await on the fast path), else a wait for one. */
  take(signal: AbortSignal | undefined, action: string): Promise<void> | void {
    if (this.free > 0) {
      this.free--;
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new AbortedError(action));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.free++;
  }

  failAll(makeError: () => Error): void {
    for (const w of this.waiting.splice(0)) w.fail(makeError());
  }
}
