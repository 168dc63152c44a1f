// Call control on the PBX model: dialing, ringing, answering, pickup, priority calls,
// conferences and channel spying. Every method answers false when the PBX would refuse.
import type { SimChannel, SimState } from './state';
import type { Timers } from './timers';

const PARTY = /^[A-Za-z0-9_.+-]{1,64}$/;

export class CallControl {
  private confSeq = 0;

  constructor(private readonly state: SimState, private readonly timers: Timers, private readonly ringMs: number) {}

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
        who: src, ext: src, context: 'from-internal', exten: dst, state: 'Up', application: 'Queue',
        data: `${queue.name},i`, callerId: src, accountCode: src,
      });
      state.enqueue(ch, queue);
      return true;
    }
    if (!state.isAvailable(dst)) return false;
    const a = state.addChannel({
      who: src, ext: src, context: 'from-internal', exten: dst, state: 'Up', application: 'Dial',
      data: `SIP/${dst},30,tT`, callerId: src, accountCode: src,
    });
    this.dialOut(a, dst);
    return true;
  }

  /** An incoming call (a door station, say) rings ext. Answers the ringing channel's name. */
  ring(ext: string, from = 'doorstation'): string {
    const { state } = this;
    if (!state.extensions.has(ext)) throw new Error(`unknown extension ${ext}`);
    if (!PARTY.test(from) || from === ext) throw new Error(`bad caller ${from}`);
    const internal = state.extensions.has(from);
    const a = state.addChannel({
      who: from, ext: internal ? from : null, context: internal ? 'from-internal' : 'from-trunk', exten: ext, state: 'Up',
      application: 'Dial', data: `SIP/${ext},60`, callerId: from, accountCode: internal ? from : '',
    });
    return this.dialOut(a, ext).name;
  }

  /** `call_prio`: close every channel of dst, then ring dst from a Local channel. */
  prio(dst: string, by: string): boolean {
    const { state } = this;
    if (!state.isAvailable(dst)) return false;
    state.hangupExtension(dst);
    const a = state.addChannel({
      tech: 'Local', who: 'prio', ext: null, context: 'prio', exten: dst, state: 'Up', application: 'Dial',
      data: `SIP/${dst},30,A(beep)`, callerId: by, accountCode: '',
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
        who: s, ext: s, context: 'from-internal', exten: room, state: 'Up', application: 'ConfBridge',
        data: room, callerId: s, accountCode: s,
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
      who: dst, ext: dst, context: 'from-internal', exten: dst, state: 'Up',
      application: keep.application === 'Queue' ? 'AppQueue' : 'AppDial', data: '(Outgoing Line)',
      callerId: keep.callerId, accountCode: dst,
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
      who: dst, ext: dst, context: 'from-internal', exten: '555', state: 'Up', application: 'ChanSpy',
      data: `${chan},q`, callerId: dst, accountCode: dst,
    });
    return true;
  }

  /** A ringing channel goes off hook. */
  answer(chan: string): boolean {
    const ch = this.state.channels.get(chan);
    if (!ch) return false;
    if (ch.state === 'Ringing') ch.state = 'Up';
    const peer = this.state.peerOf(ch);
    if (peer) peer.state = 'Up';
    return true;
  }

  /** Create dst's ringing channel bridged with the calling channel a. */
  private dialOut(a: SimChannel, dst: string): SimChannel {
    const b = this.state.addChannel({
      who: dst, ext: dst, context: 'from-internal', exten: dst, state: 'Ringing', application: 'AppDial',
      data: '(Outgoing Line)', callerId: a.callerId, accountCode: dst,
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
