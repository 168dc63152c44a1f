// Types of scripts/lib/until.js for the TypeScript tests.
export interface UntilOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Default 2. */
  everyMs?: number;
  /** Named in the timeout's message. */
  what?: string;
}

/**
 * Polls `probe` until it answers something truthy; resolves with that answer (typed `any` so
 * that `return until(...)` also fits a function declared to return Promise<void>).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: Promise<unknown> would not fit `return until(...)` there
export function until(probe: () => unknown, options?: number | UntilOptions): Promise<any>;
