// Pushes: on each change of the PBX model the simulator requests a URL, as an Asterisk dialplan
// with System(curl -m 1 ... &) does (docs/simulator.md): ring, answer and hang-up of each called
// phone, and each relay change. Bounded: one request at a time with a timeout, a short queue,
// never an exception; a URL that is down costs a count, not the PBX.
import type { SimChannel, SimState } from './state';

export interface PushStats {
  /** Requests answered (any status). */
  sent: number;
  /** Requests that failed or timed out. */
  failed: number;
  /** Events dropped because the queue was full. */
  dropped: number;
  /** Events queued, per event word. */
  events: Record<string, number>;
}

const TIMEOUT_MS = 2000;
const QUEUE_MAX = 100;

interface Leg {
  state: SimChannel['state'];
  src: string;
  dst: string;
}

/** A phone's channel that a call reaches (rings, is answered, hangs up): what a dialplan reports. */
function isLeg(c: SimChannel): boolean {
  return c.ext !== null && (c.application === 'AppDial' || c.application === 'AppQueue');
}

/** The URL as it may be logged: scheme, host and port; the path and query may hold a token. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

export class PushNotifier {
  readonly stats: PushStats = { sent: 0, failed: 0, dropped: 0, events: {} };
  private url: URL | null = null;
  private legs = new Map<string, Leg>();
  private relays = new Map<string, number>();
  private readonly queue: Array<Record<string, string>> = [];
  private sending = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly state: SimState,
    private readonly log: (line: string) => void,
  ) {}

  get on(): boolean {
    return this.url !== null;
  }

  /** Push to `url` from now on (null: stop). The current state is taken as seen: no events for the past. */
  setUrl(url: string | null): void {
    if (url === null || url === '') {
      this.url = null;
      this.queue.length = 0;
      return;
    }
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('the push URL must be http:// or https://');
    this.url = parsed;
    this.resync();
  }

  /** The model as it is now counts as seen (after a reset: a reset is no hang-up); the counts start again. */
  resync(): void {
    this.legs = new Map();
    this.legs = this.currentLegs();
    this.relays = this.currentRelays();
  }

  resetStats(): void {
    Object.assign(this.stats, { sent: 0, failed: 0, dropped: 0, events: {} });
  }

  /** Compares the model with what was last seen and queues an event per change. */
  check(): void {
    if (!this.url || this.closed) return;
    const legs = this.currentLegs();
    for (const [chan, leg] of legs) {
      const before = this.legs.get(chan);
      if (!before) this.enqueue({ event: leg.state === 'Up' ? 'answer' : 'ring', src: leg.src, dst: leg.dst, chan });
      else if (before.state !== 'Up' && leg.state === 'Up') this.enqueue({ event: 'answer', src: leg.src, dst: leg.dst, chan });
    }
    for (const [chan, leg] of this.legs) if (!legs.has(chan)) this.enqueue({ event: 'hangup', src: leg.src, dst: leg.dst, chan });
    this.legs = legs;
    const relays = this.currentRelays();
    for (const [relay, status] of relays) {
      if (this.relays.get(relay) !== status) this.enqueue({ event: 'relay', relay, status: String(status) });
    }
    this.relays = relays;
  }

  private currentLegs(): Map<string, Leg> {
    const out = new Map<string, Leg>();
    for (const c of this.state.channels.values()) {
      if (!isLeg(c)) continue;
      // The leg keeps the caller it rang with: the peer may be gone by the hang-up.
      const src = this.legs.get(c.name)?.src ?? this.state.peerOf(c)?.callerId ?? '';
      out.set(c.name, { state: c.state, src, dst: c.ext ?? '' });
    }
    return out;
  }

  private currentRelays(): Map<string, number> {
    return new Map([...this.state.relays.values()].map((r) => [r.id, r.status]));
  }

  private enqueue(params: Record<string, string>): void {
    this.stats.events[params.event] = (this.stats.events[params.event] ?? 0) + 1;
    if (this.queue.length >= QUEUE_MAX) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(params);
    if (!this.sending) void this.drain();
  }

  /** Sends the queue in order, one request at a time. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      for (let next = this.queue.shift(); next && this.url && !this.closed; next = this.queue.shift()) await this.send(this.url, next);
    } finally {
      this.sending = false;
    }
  }

  private async send(url: URL, params: Record<string, string>): Promise<void> {
    const target = new URL(url.href);
    for (const [k, v] of Object.entries(params)) target.searchParams.append(k, v);
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.arrayBuffer();
      this.stats.sent++;
      if (this.failing) this.log(`push to ${origin(url.href)} works again`);
      this.failing = false;
    } catch (err) {
      this.stats.failed++;
      if (!this.failing)
        this.log(`push to ${origin(url.href)} failed (${(err as Error)?.name ?? 'error'}); the PBX goes on, events may be lost`);
      this.failing = true;
    }
  }

  close(): void {
    this.closed = true;
    this.url = null;
    this.queue.length = 0;
  }
}
