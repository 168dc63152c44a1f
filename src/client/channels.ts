import type { RequestOptions, Requester } from './types';

/** Special channel management: DTMF and channel spying. */
export class Channels {
  constructor(private readonly r: Requester) {}

  playDtmf(chan: string, tone: string, o?: RequestOptions): Promise<true> {
    return this.r.request('chan_play_dtmf', { chan, tone }, o) as Promise<true>;
  }
  /** Lets extension `dst` listen to `chan`. */
  monitor(chan: string, dst: string, o?: RequestOptions): Promise<true> {
    return this.r.request('chan_monitor', { chan, dst }, o) as Promise<true>;
  }
}
