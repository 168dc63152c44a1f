import { ActionArea } from './actions';
import type { RequestOptions } from './types';

/** Relay contacts (door openers, gates, lights). */
export class Relays extends ActionArea {
  list(o?: RequestOptions) {
    return this.ask('relay_list', {}, o);
  }
  /** The relay's status; 0 is "off" (the PBX's error answer is also 0: the protocol cannot tell them apart). */
  status(relay: string, o?: RequestOptions) {
    return this.ask('relay_status_get', { relay_id: relay }, o);
  }
  set(relay: string, status: number, o?: RequestOptions) {
    return this.ask('relay_status_set', { relay_id: relay, status }, o);
  }
}
