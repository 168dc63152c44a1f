import { requestAction } from './actions';
import type { RequestOptions, Requester } from './types';

/** Relay contacts (door openers, gates, lights). */
export class Relays {
  constructor(private readonly r: Requester) {}

  list(o?: RequestOptions) {
    return requestAction(this.r, 'relay_list', {}, o);
  }
  /** The relay's status; 0 is "off" (the PBX's error answer is also 0: the protocol cannot tell them apart). */
  status(relay: string, o?: RequestOptions) {
    return requestAction(this.r, 'relay_status_get', { relay_id: relay }, o);
  }
  set(relay: string, status: number, o?: RequestOptions) {
    return requestAction(this.r, 'relay_status_set', { relay_id: relay, status }, o);
  }
}
