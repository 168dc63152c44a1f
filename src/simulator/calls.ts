// Call control on the PBX model: dialing, ringing, answering, pickup, priority calls,
// conferences and channel spying. Every method answers false when the PBX would refuse.
import type { CallOptions, NewChannel, SimChannel, SimState } from './state';
import type { Timers } from './timers';

const PARTY = /^[A-Za-z0-9_.+-]{1,64}$/;

export class CallControl {
  private confSeq = 0;

  constructor(
    private readonly state: SimState,
    private readonly timers: Timers,
    private readonly ringMs: number,
  ) {}

  reset(): void {
    this.confSeq = 0;
  }

  /** `call`: src's phone is off hook dialing dst; dst rings (or dst is a queue number: src waits in the queue). */
  call(src: string, dst: string): boolean {
    const { state } = this;
    if (src === dst || !state.isAvailable(src)) return false;
    const queue = state.queueByExten(dst);
    if (queue) {
      const ch = state.addChannel({
        who: src,
        ext: src,
        context: 'from-internal',
        exten: dst,
        state: 'Up',
        application: 'Queue',
        data: `${queue.name},i`,
        callerId: src,
        accountCode: src,
      });
      state.enqueue(ch, queue);
      return true;
    }
    if (!state.isAvailable(dst)) return false;
    this.dialOut(this.caller(src, dst), dst);
    return true;
  }

  /**
   * A call rings ext. From an extension of the PBX (and no trunk named): an internal call; from
   * anything else: an outside caller on a trunk. Answers the ringing channel's name.
   */
  ring(ext: string, from = 'doorstation', options: CallOptions = {}): string {
    const { state } = this;
    if (!state.extensions.has(ext)) throw new Error(`unknown extension ${ext}`);
    if (!PARTY.test(from) || from === ext) throw new Error(`bad caller ${from}`);
    return this.dialOut(this.caller(from, ext, options), ext).name;
  }

  /** A caller calls queue `name`; the first free logged-in agent rings through a Local pair. Answers the caller's channel. */
  queueCall(name: string, from = '+498912345678', options: CallOptions = {}): string {
    const { state } = this;
    const queue = state.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    if (!PARTY.test(from)) throw new Error(`bad caller ${from}`);
    const internal = options.trunk === undefined && state.extensions.has(from);
    const caller = state.addChannel({
      ...this.origin(from, options),
      context: internal ? 'from-internal' : 'from-trunk',
      exten: queue.exten,
      state: 'Up',
      application: 'Queue',
      data: `${queue.name},t`,
    });
    state.enqueue(caller, queue);
    const agent = queue.agents.find((a) => state.isAvailable(a) && state.channelsOf(a).length === 0);
    if (agent) this.offer(caller, queue.exten, agent);
    return caller.name;
  }

  /** The channel of a call's originator: an extension's phone, or a trunk channel carrying an outside number. */
  private origin(from: string, options: CallOptions): Pick<NewChannel, 'who' | 'ext' | 'callerId' | 'callerName' | 'accountCode'> {
    // A trunk named: an outside caller, even with an extension's number as caller id (caller-id spoofing).
    if (options.trunk === undefined && this.state.extensions.has(from))
      return { who: from, ext: from, callerId: from, callerName: '', accountCode: from };
    const trunk = options.trunk ?? (/^\+?[0-9]+$/.test(from) ? 'trunk' : from);
    if (!PARTY.test(trunk)) throw new Error(`bad trunk ${trunk}`);
    return { who: trunk, ext: null, callerId: from, callerName: options.name ?? '', accountCode: '' };
  }

  /** The caller's channel dialling dst: `Ring`, application `Dial`, data naming dst's device. */
  private caller(from: string, dst: string, options: CallOptions = {}): SimChannel {
    const o = this.origin(from, options);
    return this.state.addChannel({
      ...o,
      context: o.ext === null ? 'from-trunk' : 'from-internal',
      exten: dst,
      state: 'Ring',
      application: 'Dial',
      data: `SIP/${dst},${o.ext === null ? 60 : 30},tT`,
    });
  }

  /** A queue offers `caller` to `agent`: Local/agent@from-queue-id;1 (AppQueue) and ;2 dialling the agent. */
  private offer(caller: SimChannel, queueExten: string, agent: string): void {
    const { state } = this;
    const id = state.nextLocalId();
    const base = { tech: 'Local', who: `${agent}@from-queue`, ext: null, context: 'from-queue', accountCode: '' };
    const one = state.addChannel({
      ...base,
      suffix: `${id};1`,
      exten: queueExten,
      state: 'Ringing',
      application: 'AppQueue',
      data: '(Outgoing Line)',
      callerId: agent,
    });
    const two = state.addChannel({
      ...base,
      suffix: `${id};2`,
      exten: agent,
      state: 'Ring',
      application: 'Dial',
      data: `SIP/${agent},,tr`,
      callerId: caller.callerId,
      callerName: caller.callerName,
    });
    one.localPair = two.name;
    two.localPair = one.name;
    state.bridge(caller, one);
    this.dialOut(two, agent);
  }

  /** `call_prio`: close every channel of dst, then ring dst from a Local channel. */
  prio(dst: string, by: string): boolean {
    const { state } = this;
    if (!state.isAvailable(dst)) return false;
    state.hangupExtension(dst);
    const a = state.addChannel({
      tech: 'Local',
      who: 'prio',
      ext: null,
      context: 'prio',
      exten: dst,
      state: 'Up',
      application: 'Dial',
      data: `SIP/${dst},30,A(beep)`,
      callerId: by,
      accountCode: '',
    });
    this.dialOut(a, dst);
    return true;
  }

  /** `call_create_conf`: every station gets a channel in one ConfBridge. */
  conference(stations: string[], breakCalls: boolean): boolean {
    const { state } = this;
    if (stations.length === 0 || stations.some((s) => !state.isAvailable(s))) return false;
    if (!breakCalls && stations.some((s) => state.channelsOf(s).length > 0)) return false;
    const room = String(8000 + ++this.confSeq);
    for (const s of stations) {
      state.hangupExtension(s);
      state.addChannel({
        who: s,
        ext: s,
        context: 'from-internal',
        exten: room,
        state: 'Up',
        application: 'ConfBridge',
        data: room,
        callerId: s,
        accountCode: s,
      });
    }
    return true;
  }

  /**
   * `call_pick`: move the call of chan to dst. A ringing channel is picked up by dst (the caller is
   * connected to dst instead); otherwise chan itself is redirected to dst and its old peer hangs up.
   */
  pick(chan: string, dst: string): boolean {
    const { state } = this;
    const ch = state.channels.get(chan);
    if (!ch || !state.isAvailable(dst)) return false;
    const peer = state.peerOf(ch);
    const pickup = ch.state === 'Ringing' && peer !== undefined;
    const keep: SimChannel = pickup ? peer : ch;
    if (keep.ext === dst) return false;
    const drop = pickup ? ch : peer;
    if (drop) state.removeChannel(drop.name);
    state.dequeue(keep);
    const b = state.addChannel({
      who: dst,
      ext: dst,
      context: 'from-internal',
      exten: dst,
      state: 'Up',
      application: keep.application === 'Queue' ? 'AppQueue' : 'AppDial',
      data: '(Outgoing Line)',
      callerId: keep.callerId,
      accountCode: dst,
    });
    keep.state = 'Up';
    state.bridge(keep, b);
    return true;
  }

  /** `chan_monitor`: dst listens to chan through a ChanSpy channel. */
  monitor(chan: string, dst: string): boolean {
    const { state } = this;
    const target = state.channels.get(chan);
    if (!target || target.ext === dst || !state.isAvailable(dst)) return false;
    state.addChannel({
      who: dst,
      ext: dst,
      context: 'from-internal',
      exten: '555',
      state: 'Up',
      application: 'ChanSpy',
      data: `${chan},q`,
      callerId: dst,
      accountCode: dst,
    });
    return true;
  }

  /** A ringing channel goes off hook: every channel of its call is up (and shown bridged). */
  answer(chan: string): boolean {
    const ch = this.state.channels.get(chan);
    if (!ch) return false;
    for (const c of this.state.callOf(ch)) {
      c.state = 'Up';
      this.state.dequeue(c);
    }
    return true;
  }

  /**
   * A ringing channel refuses the call (busy): the caller hangs up; a queue caller stays in its
   * queue and only the offer to this agent ends.
   */
  reject(chan: string): boolean {
    const { state } = this;
    const ch = state.channels.get(chan);
    if (!ch || (ch.state !== 'Ringing' && ch.state !== 'Down')) return false;
    for (const c of state.callOf(ch)) if (c.queue === null) state.removeChannel(c.name);
    return true;
  }

  /** Create dst's ringing channel, linked with the dialling channel a. */
  private dialOut(a: SimChannel, dst: string): SimChannel {
    const b = this.state.addChannel({
      who: dst,
      ext: dst,
      context: 'from-internal',
      exten: dst,
      state: 'Ringing',
      application: 'AppDial',
      data: '(Outgoing Line)',
      callerId: dst,
      accountCode: dst,
    });
    this.state.bridge(a, b);
    if (this.ringMs > 0) {
      this.timers.timeout(() => {
        if (this.state.channels.get(b.name) === b && b.state === 'Ringing') this.answer(b.name);
      }, this.ringMs);
    }
    return b;
  }
}
