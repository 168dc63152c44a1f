// Types of scripts/lib/until.js for the TypeScript tests.
export interface UntilOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Default 2. */
  everyMs?: number;
  /** Named in the timeout's message. */
  what?: string;
}

/** Polls `probe` until it answers something truthy; resolves with that answer. */
export function until<T>(probe: () => T | Promise<T>, options?: number | UntilOptions): Promise<Exclude<T, false | 0 | '' | null | undefined>>;
