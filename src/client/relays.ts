import type { RelayInfo } from './parsers';
import type { RequestOptions, Requester } from './types';

/** Relay contacts (door openers, gates, lights). */
export class Relays {
  constructor(private readonly r: Requester) {}

  list(o?: RequestOptions): Promise<RelayInfo[]> {
    return this.r.request('relay_list', {}, o) as Promise<RelayInfo[]>;
  }
  /** The relay's status; 0 is "off" (the PBX's error answer is also 0: the protocol cannot tell them apart). */
  status(relay: string, o?: RequestOptions): Promise<number> {
    return this.r.request('relay_status_get', { relay_id: relay }, o) as Promise<number>;
  }
  set(relay: string, status: number, o?: RequestOptions): Promise<true> {
    return this.r.request('relay_status_set', { relay_id: relay, status }, o) as Promise<true>;
  }
}
