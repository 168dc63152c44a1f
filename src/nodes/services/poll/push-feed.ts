import type { PushValue } from '../../config/push-params';

/** One accepted push to a config node's event endpoint. */
export interface Push {
  event: string;
  /** The other parameters, `event` left out. */
  fields: Record<string, PushValue>;
  /** The sender's address as Node-RED's HTTP server sees it. */
  remote: string;
  /** When it came (epoch ms). */
  at: number;
}

/** Without a push for this long, the status says the node polls again. */
export const PUSH_FRESH_MS = 10 * 60_000;

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // One user's failure must not stop the others from hearing of the push.
  }
}

/**
 * The pushes to one config node: each makes its shared poll poll now (the channel list stays the
 * one source of truth for call events) and reaches its event-in nodes; status lines ask
 * `arriving` so none claims push when only polling works.
 */
export class PushFeed {
  private readonly listeners = new Map<object, (push: Push) => void>();
  private readonly watchers = new Map<object, () => void>();
  private freshTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** When the last push came (epoch ms), null before the first. */
  lastPushAt: number | null = null;
  /** Pushes accepted (a figure for tests and the benchmark). */
  accepted = 0;
  /** The config node serves an event endpoint (it has a token, and the token is its own). */
  endpoint = false;

  constructor(private readonly poller: { pollForPush(): void }) {}

  /** True while pushes arrive: one came within PUSH_FRESH_MS. */
  get arriving(): boolean {
    return this.freshTimer !== null;
  }

  accept(push: Push): void {
    if (this.closed) return;
    const was = this.arriving;
    this.lastPushAt = push.at;
    this.accepted++;
    this.poller.pollForPush();
    if (this.freshTimer) clearTimeout(this.freshTimer);
    this.freshTimer = setTimeout(() => {
      this.freshTimer = null;
      this.changed();
    }, PUSH_FRESH_MS);
    if (!was) this.changed();
    for (const listener of this.listeners.values()) safely(() => listener(push));
  }

  /** `listener` hears every push until unsubscribe(node). */
  subscribe(node: object, listener: (push: Push) => void): void {
    this.listeners.set(node, listener);
  }

  unsubscribe(node: object): void {
    this.listeners.delete(node);
  }

  /** `onChange` runs when `arriving` changes, until unwatch(node). */
  watch(node: object, onChange: () => void): void {
    this.watchers.set(node, onChange);
  }

  unwatch(node: object): void {
    this.watchers.delete(node);
  }

  private changed(): void {
    for (const onChange of this.watchers.values()) safely(onChange);
  }

  close(): void {
    this.closed = true;
    if (this.freshTimer) clearTimeout(this.freshTimer);
    this.freshTimer = null;
    this.listeners.clear();
    this.watchers.clear();
  }
}
