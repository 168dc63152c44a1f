// The PBX model: extensions, channels, relays, cameras, queues, recordings.
// Extension state codes are derived from the channels (Asterisk device states).
import { stateName } from '../client/ext-states';
import type { SimConfig } from './options';

export type ChannelState = 'Up' | 'Ringing' | 'Ring' | 'Down';

/** Extra details of a new call (the control API and tests). */
export interface CallOptions {
  /** The caller's name (shown where the channel line has a caller id name field). */
  name?: string;
  /** The trunk an outside caller arrives on: the channel is `SIP/<trunk>-<seq>`. Given, the call is an outside one whatever `from` is. */
  trunk?: string;
}

export interface SimChannel {
  readonly name: string;
  /** The extension that owns this channel ("SIP/1004-0000002a" → "1004"); null for trunks and Local channels. */
  readonly ext: string | null;
  context: string;
  exten: string;
  priority: number;
  state: ChannelState;
  application: string;
  data: string;
  callerId: string;
  /** The caller id name; '' when the PBX knows none. */
  callerName: string;
  accountCode: string;
  amaFlags: number;
  readonly createdAt: number;
  /**
   * The channel this one is linked with: the other end of a dial while it rings, the bridged peer
   * once both are up (channel lines show it only then, as Asterisk does).
   */
  bridgedTo: string | null;
  /** The other half of a Local channel pair (`...;1` ↔ `...;2`). */
  localPair: string | null;
  readonly uniqueId: string;
  onHold: boolean;
  /** Every digit played on this channel with chan_play_dtmf, in order. */
  dtmf: string;
  /** The monitor file while recording. */
  recording: string | null;
  /** The queue this channel is a caller of. */
  queue: string | null;
}

export interface SimExtension {
  readonly ext: string;
  /** false: the phone is unregistered (state 4); calls to it fail. */
  available: boolean;
  readonly code: number;
  readonly stateName: string;
}

export interface SimRelay {
  readonly id: string;
  readonly name: string;
  status: number;
  sets: number;
}
export interface SimCamera {
  readonly id: string;
  readonly name: string;
  /** Frames served (pictures and stream frames); also drives the moving picture. */
  frames: number;
  recording: boolean;
  recordStarts: number;
  savedPictures: string[];
}
export interface SimQueue {
  readonly name: string;
  readonly exten: string;
  agents: string[];
  waiting: string[];
}
export interface SimRecording {
  readonly file: string;
  channel: string | null;
  startedAt: number;
  stoppedAt: number | null;
}

export type NewChannel = Omit<
  SimChannel,
  | 'name'
  | 'createdAt'
  | 'uniqueId'
  | 'bridgedTo'
  | 'localPair'
  | 'onHold'
  | 'dtmf'
  | 'recording'
  | 'queue'
  | 'priority'
  | 'amaFlags'
  | 'callerName'
> & {
  tech?: string;
  who: string;
  /** The channel name's suffix; default a sequence number (Local pairs give `...;1`, `...;2`). */
  suffix?: string;
  callerName?: string;
  createdAt?: number;
};

/** An example recording so that call_record_list is not empty (the file name of the document's example). */
export const EXAMPLE_RECORDING = 'ff787e129af19513f4f1fdb360294452_1358699701.wav';

export class SimState {
  readonly extensions = new Map<string, SimExtension>();
  readonly channels = new Map<string, SimChannel>();
  readonly relays = new Map<string, SimRelay>();
  readonly cameras = new Map<string, SimCamera>();
  readonly queues = new Map<string, SimQueue>();
  readonly recordings = new Map<string, SimRecording>();
  private seq = 0x20;
  private uniq = 1;

  constructor(private readonly config: SimConfig) {
    this.reset();
  }

  /** Back to the configured initial state. */
  reset(): void {
    for (const m of [this.extensions, this.channels, this.relays, this.cameras, this.queues, this.recordings]) m.clear();
    this.seq = 0x20;
    this.uniq = 1;
    const codeOf = (ext: string): number => this.codeOf(ext);
    for (const ext of this.config.extensions) {
      this.extensions.set(ext, {
        ext,
        available: true,
        get code() {
          return codeOf(ext);
        },
        get stateName() {
          return stateName(codeOf(ext));
        },
      });
    }
    for (const r of this.config.relays) this.relays.set(r.id, { id: r.id, name: r.name, status: r.status, sets: 0 });
    for (const c of this.config.cameras) {
      this.cameras.set(c.id, { id: c.id, name: c.name, frames: 0, recording: false, recordStarts: 0, savedPictures: [] });
    }
    let nextExten = 7778; // VMX is 7777 as in the document's example
    for (const q of this.config.queues) {
      const exten = q.name === 'VMX' ? '7777' : String(nextExten++);
      this.queues.set(q.name, { name: q.name, exten, agents: [...q.agents], waiting: [] });
    }
    const vmx = this.queues.get('VMX');
    if (vmx) {
      const now = Date.now();
      for (const [callerId, age] of [
        ['0891234567', 95_000],
        ['0301112233', 40_000],
      ] as const) {
        this.enqueue(
          this.addChannel({
            tech: 'SIP',
            who: 'trunk',
            ext: null,
            context: 'from-trunk',
            exten: vmx.exten,
            state: 'Up',
            application: 'Queue',
            data: `${vmx.name},i`,
            callerId,
            accountCode: '',
            createdAt: now - age,
          }),
          vmx,
        );
      }
    }
    this.recordings.set(EXAMPLE_RECORDING, { file: EXAMPLE_RECORDING, channel: null, startedAt: 1358699701000, stoppedAt: 1358699761000 });
  }

  /** Asterisk extension state: -1 not found, 0 idle, 1 inuse, 4 unavailable, 8 ringing, 9 inuse+ringing, 16 hold, 17 inuse+hold. */
  codeOf(ext: string): number {
    const e = this.extensions.get(ext);
    if (!e) return -1;
    if (!e.available) return 4;
    const chans = this.channelsOf(ext);
    if (chans.length === 0) return 0;
    const ringing = chans.some((c) => c.state === 'Ringing');
    const hold = chans.some((c) => c.state !== 'Ringing' && c.onHold);
    const inuse = chans.some((c) => c.state !== 'Ringing' && !c.onHold);
    if (ringing) return inuse || hold ? 9 : 8;
    if (hold) return inuse ? 17 : 16;
    return 1;
  }

  isAvailable(ext: string): boolean {
    return this.extensions.get(ext)?.available === true;
  }

  /** Mark a phone registered (true) or unregistered (false, state 4). */
  setAvailable(ext: string, available: boolean): void {
    const e = this.extensions.get(ext);
    if (!e) throw new Error(`unknown extension ${ext}`);
    e.available = available;
  }

  channelsOf(ext: string): SimChannel[] {
    return [...this.channels.values()].filter((c) => c.ext === ext);
  }

  addChannel(init: NewChannel): SimChannel {
    const name = `${init.tech ?? 'SIP'}/${init.who}-${init.suffix ?? (this.seq++).toString(16).padStart(8, '0')}`;
    const createdAt = init.createdAt ?? Date.now();
    const ch: SimChannel = {
      name,
      ext: init.ext,
      context: init.context,
      exten: init.exten,
      priority: 1,
      state: init.state,
      application: init.application,
      data: init.data,
      callerId: init.callerId,
      callerName: init.callerName ?? '',
      accountCode: init.accountCode,
      amaFlags: 3,
      createdAt,
      bridgedTo: null,
      localPair: null,
      uniqueId: `${Math.floor(createdAt / 1000)}.${this.uniq++}`,
      onHold: false,
      dtmf: '',
      recording: null,
      queue: null,
    };
    this.channels.set(name, ch);
    return ch;
  }

  bridge(a: SimChannel, b: SimChannel): void {
    a.bridgedTo = b.name;
    b.bridgedTo = a.name;
  }

  /** A fresh hex suffix for a Local channel pair. */
  nextLocalId(): string {
    return (this.seq++).toString(16).padStart(8, '0');
  }

  /** Every channel linked with ch through dials, bridges and Local pairs: one call, ch included. */
  callOf(ch: SimChannel): SimChannel[] {
    const seen = new Map<string, SimChannel>([[ch.name, ch]]);
    const todo = [ch];
    while (todo.length > 0) {
      const c = todo.pop() as SimChannel;
      const next = [this.peerOf(c), c.localPair ? this.channels.get(c.localPair) : undefined];
      for (const o of this.channels.values()) if (o.bridgedTo === c.name) next.push(o);
      for (const n of next) {
        if (n && !seen.has(n.name)) {
          seen.set(n.name, n);
          todo.push(n);
        }
      }
    }
    return [...seen.values()];
  }

  /** The peer shown in a channel line: only while both ends are up (bridged). */
  shownPeer(ch: SimChannel): SimChannel | undefined {
    const peer = this.peerOf(ch);
    return peer && ch.state === 'Up' && peer.state === 'Up' ? peer : undefined;
  }

  peerOf(ch: SimChannel): SimChannel | undefined {
    if (!ch.bridgedTo) return undefined;
    const peer = this.channels.get(ch.bridgedTo);
    return peer && peer.bridgedTo === ch.name ? peer : undefined;
  }

  enqueue(ch: SimChannel, q: SimQueue): void {
    ch.queue = q.name;
    q.waiting.push(ch.name);
  }

  /** Take a caller out of its queue's waiting list (it stays a Queue channel). */
  dequeue(ch: SimChannel): void {
    const q = ch.queue ? this.queues.get(ch.queue) : undefined;
    if (q) q.waiting = q.waiting.filter((n) => n !== ch.name);
  }

  /** Remove one channel; its peer stays (unbridged), channels spying on it go too. */
  removeChannel(name: string): boolean {
    const ch = this.channels.get(name);
    if (!ch) return false;
    this.channels.delete(name);
    this.dequeue(ch);
    if (ch.recording) this.stopRecording(ch);
    for (const other of this.channels.values()) {
      if (other.bridgedTo === name) other.bridgedTo = null;
      if (other.localPair === name) other.localPair = null;
    }
    for (const spy of [...this.channels.values()]) {
      if (spy.application === 'ChanSpy' && spy.data.startsWith(`${name},`)) this.removeChannel(spy.name);
    }
    return true;
  }

  /** Hang up a channel and every channel of its call (the peer, Local pairs in between). */
  hangup(name: string): boolean {
    const ch = this.channels.get(name);
    if (!ch) return false;
    for (const c of this.callOf(ch)) this.removeChannel(c.name);
    return true;
  }

  hangupExtension(ext: string): number {
    const mine = this.channelsOf(ext);
    for (const ch of mine) this.hangup(ch.name);
    return mine.length;
  }

  hangupAll(): void {
    for (const name of [...this.channels.keys()]) this.removeChannel(name);
  }

  /** Put a channel on hold (no WebTAPI action does this; for tests and demos). */
  hold(name: string, on = true): void {
    const ch = this.channels.get(name);
    if (!ch) throw new Error(`unknown channel ${name}`);
    ch.onHold = on;
  }

  stopRecording(ch: SimChannel): void {
    const rec = ch.recording ? this.recordings.get(ch.recording) : undefined;
    if (rec && rec.stoppedAt === null) rec.stoppedAt = Date.now();
    ch.recording = null;
  }

  queueByExten(exten: string): SimQueue | undefined {
    for (const q of this.queues.values()) if (q.exten === exten) return q;
    return undefined;
  }
}
