import {
  groupCalls,
  type CallGroup,
  type ChannelListItem,
  type ConciseChannel,
  type ExtensionState,
  type WebTapiClient,
} from '../../../client';

export interface PollResult {
  /** When the poll's answers came (epoch ms). */
  at: number;
  /** Present when a user reads extension states. */
  states?: Record<string, ExtensionState>;
  /** Present when a user reads calls: call_list_all as it came. */
  calls?: ChannelListItem[];
  /** Present when a user reads relays: relay id → status. */
  relays?: Record<string, number>;
  /** The calls of `calls`, grouped once per poll for every call monitor. */
  callGroups(): CallGroup[];
}

/** What one node wants from the shared poll. */
export interface Subscription {
  /** Extension states to read: a list, null for every extension, absent for none. */
  states?: string[] | null;
  /** Read call_list_all. */
  calls?: boolean;
  relays?: readonly string[];
  intervalMs: number;
  onResult(result: PollResult): void;
  /** `at`: when the poll failed (epoch ms). */
  onError(err: unknown, at: number): void;
}

const MAX_BACKOFF_MS = 30_000;
/**
 * A push's poll starts this long after the push: the pushes of one change on the PBX (the hang-up
 * of one call and the ring of the next, sent one after the other by the dialplan) arrive within
 * it, so one poll reads them all instead of one poll each.
 */
export const PUSH_GATHER_MS = 15;
/**
 * The shortest time from one poll's start to a poll a push asks for: however many pushes arrive,
 * the PBX is not polled more than ten times a second.
 */
export const PUSH_POLL_GAP_MS = 100;

/**
 * One poll loop per config node, shared by every status-watch and call-monitor node on it: per
 * interval (the shortest any of them asks for) one call_status_get for the union of their
 * extensions and one call_list_all, each only when some node wants it; never two polls at once;
 * slower while failing. Nodes register and deregister(node, done) as with the mqtt broker node:
 * when the last one goes, the loop stops and done() waits for the poll under way to end.
 */
export class StatusPoller {
  private readonly subs = new Map<object, Subscription>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private current: AbortController | null = null;
  private again = false;
  private failures = 0;
  private closed = false;
  private startPending = false;
  /** A push asked for a poll that has not started yet. */
  private pushQueued = false;
  /** When the first push of those waiting for a poll came (epoch ms). */
  private pushAskedAt = 0;
  private lastStart = -Infinity;
  /** Polls started (a figure for tests and the benchmark). */
  polls = 0;

  constructor(private readonly client: WebTapiClient) {}

  /** A poll is under way or asked for (by a push or an input) and not started yet. */
  get busy(): boolean {
    return this.running !== null || this.again || this.pushQueued;
  }

  register(node: object, sub: Subscription): void {
    this.subs.set(node, sub);
    // Nodes of one deploy register in the same tick: one poll for all of them.
    if (!this.startPending) {
      this.startPending = true;
      setImmediate(() => {
        this.startPending = false;
        this.pollNow();
      });
    }
  }

  /** The node no longer polls; with the last node gone the loop stops. done() once nothing of it runs. */
  deregister(node: object, done?: () => void): void {
    this.subs.delete(node);
    if (this.subs.size > 0) {
      done?.();
      return;
    }
    this.stop();
    const running = this.running;
    if (!done) return;
    if (running) void running.then(done, done);
    else done();
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
    this.running = this.poll().finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  /**
   * A push came: poll PUSH_GATHER_MS after it (or PUSH_POLL_GAP_MS after the last poll started, if
   * that is later); one poll in flight and at most one queued, however many pushes arrive. A push
   * during a poll asks for one more: the PBX may have answered that poll before the change. The
   * interval continues from the last poll.
   */
  pollForPush(): void {
    if (this.closed || this.subs.size === 0 || this.pushQueued) return;
    this.pushQueued = true;
    this.pushAskedAt = Date.now();
    // The poll under way ends with schedule(), which honours the queued push.
    if (!this.running) this.schedule();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.again = false;
    this.pushQueued = false;
    this.current?.abort();
  }

  private async poll(): Promise<void> {
    this.polls++;
    this.lastStart = Date.now();
    this.pushQueued = false;
    const subs = [...this.subs.values()];
    const controller = new AbortController();
    this.current = controller;
    try {
      const result = await this.fetch(subs, controller.signal);
      this.failures = 0;
      for (const s of subs) if (this.isLive(s)) safely(() => s.onResult(result));
    } catch (err) {
      this.failures++;
      const at = Date.now();
      for (const s of subs) if (this.isLive(s)) safely(() => s.onError(err, at));
    } finally {
      if (this.current === controller) this.current = null;
    }
  }

  private isLive(s: Subscription): boolean {
    for (const live of this.subs.values()) if (live === s) return true;
    return false;
  }

  private async fetch(subs: Subscription[], signal: AbortSignal): Promise<PollResult> {
    let filter: string[] | undefined = [];
    let states = false;
    let calls = false;
    const relays = new Set<string>();
    for (const s of subs) {
      if (s.states === null) filter = undefined;
      else if (s.states && filter) for (const e of s.states) if (!filter.includes(e)) filter.push(e);
      states ||= s.states !== undefined;
      calls ||= s.calls === true;
      for (const r of s.relays ?? []) relays.add(r);
    }
    const part: Omit<PollResult, 'at' | 'callGroups'> = {};
    if (states) part.states = await this.client.calls.statusGet(filter, { signal });
    if (calls) part.calls = await this.client.calls.listAll({ signal });
    if (relays.size > 0) {
      part.relays = {};
      for (const id of relays) part.relays[id] = await this.client.relays.status(id, { signal });
    }
    let groups: CallGroup[] | null = null;
    return {
      ...part,
      at: Date.now(),
      callGroups: () => (groups ??= groupCalls((part.calls ?? []).filter((c): c is ConciseChannel => c.shape === 'concise'))),
    };
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.subs.size === 0) return;
    if (this.again) {
      this.again = false;
      this.pollNow();
      return;
    }
    let interval = Infinity;
    for (const s of this.subs.values()) interval = Math.min(interval, s.intervalMs);
    let delay = this.failures === 0 ? interval : Math.min(interval * 2 ** Math.min(this.failures, 6), Math.max(interval, MAX_BACKOFF_MS));
    if (this.pushQueued)
      delay = Math.min(delay, Math.max(0, this.pushAskedAt + PUSH_GATHER_MS - Date.now(), this.lastStart + PUSH_POLL_GAP_MS - Date.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pollNow();
    }, delay);
  }

  close(): void {
    this.closed = true;
    this.stop();
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
