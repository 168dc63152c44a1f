import type { ExtensionState, ListItem, WebTapiClient } from '../../client';

export interface PollResult {
  states: Record<string, ExtensionState>;
  /** Present when a subscriber watches calls. */
  calls?: ListItem[];
  /** Present when a subscriber watches relays: relay id → status. */
  relays?: Record<string, number>;
}

export interface Subscription {
  /** null: every extension. */
  extensions: string[] | null;
  intervalMs: number;
  watchCalls: boolean;
  relays: string[];
  onResult(result: PollResult): void;
  onError(err: unknown): void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * One poll loop per config node, shared by every status-watch node on it: one call_status_get per
 * interval for the union of their extensions, never two polls at once, slower while failing.
 */
export class StatusPoller {
  private readonly subs = new Set<Subscription>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private failures = 0;
  private closed = false;
  private startPending = false;
  private controller = new AbortController();
  /** Polls started (a figure for tests and the benchmark). */
  polls = 0;

  constructor(private readonly client: WebTapiClient) {}

  subscribe(sub: Subscription): () => void {
    this.subs.add(sub);
    // Nodes of one deploy subscribe in the same tick: one poll for all of them.
    if (!this.startPending) {
      this.startPending = true;
      setImmediate(() => {
        this.startPending = false;
        this.pollNow();
      });
    }
    return () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) this.stop();
    };
  }

  /** Polls at once, or right after the poll under way. */
  pollNow(): void {
    if (this.closed || this.subs.size === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.poll();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.again = false;
  }

  private async poll(): Promise<void> {
    this.running = true;
    this.polls++;
    const subs = [...this.subs];
    try {
      const result = await this.fetch(subs);
      this.failures = 0;
      for (const s of subs) if (this.subs.has(s)) safely(() => s.onResult(result));
    } catch (err) {
      this.failures++;
      for (const s of subs) if (this.subs.has(s)) safely(() => s.onError(err));
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async fetch(subs: Subscription[]): Promise<PollResult> {
    const signal = this.controller.signal;
    let filter: string[] | undefined = [];
    const relays = new Set<string>();
    let calls = false;
    for (const s of subs) {
      if (s.extensions === null) filter = undefined;
      else if (filter) for (const e of s.extensions) if (!filter.includes(e)) filter.push(e);
      for (const r of s.relays) relays.add(r);
      calls ||= s.watchCalls;
    }
    const result: PollResult = { states: await this.client.calls.statusGet(filter, { signal }) };
    if (calls) result.calls = await this.client.calls.listAll({ signal });
    if (relays.size > 0) {
      result.relays = {};
      for (const id of relays) result.relays[id] = await this.client.relays.status(id, { signal });
    }
    return result;
  }

  private schedule(): void {
    if (this.closed || this.subs.size === 0) return;
    if (this.again) {
      this.again = false;
      void this.poll();
      return;
    }
    let interval = Infinity;
    for (const s of this.subs) interval = Math.min(interval, s.intervalMs);
    const delay = this.failures === 0 ? interval : Math.min(interval * 2 ** Math.min(this.failures, 6), Math.max(interval, MAX_BACKOFF_MS));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delay);
  }

  close(): void {
    this.closed = true;
    this.stop();
    this.controller.abort();
    this.subs.clear();
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A subscriber's own failure must not stop the loop for the others.
  }
}
