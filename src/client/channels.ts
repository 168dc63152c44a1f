import { requestAction } from './actions';
import type { RequestOptions, Requester } from './types';

/** Special channel management: DTMF and channel spying. */
export class Channels {
  constructor(private readonly r: Requester) {}

  playDtmf(chan: string, tone: string, o?: RequestOptions) {
    return requestAction(this.r, 'chan_play_dtmf', { chan, tone }, o);
  }
  /** Lets extension `dst` listen to `chan`. */
  monitor(chan: string, dst: string, o?: RequestOptions) {
    return requestAction(this.r, 'chan_monitor', { chan, dst }, o);
  }
}
