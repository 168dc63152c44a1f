import { ActionArea } from './actions';
import type { RequestOptions } from './types';

/** Special channel management: DTMF and channel spying. */
export class Channels extends ActionArea {
  playDtmf(chan: string, tone: string, o?: RequestOptions) {
    return this.ask('chan_play_dtmf', { chan, tone }, o);
  }
  /** Lets extension `dst` listen to `chan`. */
  monitor(chan: string, dst: string, o?: RequestOptions) {
    return this.ask('chan_monitor', { chan, dst }, o);
  }
}
