import { requestAction } from './actions';
import type { RequestOptions, Requester } from './types';

/** Call management: calls, pickup, hangup, priority calls, recordings, extension states, conferences. */
export class Calls {
  constructor(private readonly r: Requester) {}

  call(src: string, dst: string, o?: RequestOptions) {
    return requestAction(this.r, 'call', { src, dst }, o);
  }
  pick(chan: string, dst: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_pick', { chan, dst }, o);
  }
  hangup(chan: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_hangup', { chan }, o);
  }
  prio(dst: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_prio', { dst }, o);
  }
  list(o?: RequestOptions) {
    return requestAction(this.r, 'call_list', {}, o);
  }
  listAll(o?: RequestOptions) {
    return requestAction(this.r, 'call_list_all', {}, o);
  }
  /** Resolves to the file name the PBX records into. */
  recordStart(chan: string, monitorFile?: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_record_start', { chan, monitor_file: monitorFile }, o);
  }
  recordStop(chan: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_record_stop', { chan }, o);
  }
  recordList(o?: RequestOptions) {
    return requestAction(this.r, 'call_record_list', {}, o);
  }
  recordGet(monitorFile: string, o?: RequestOptions) {
    return requestAction(this.r, 'call_record_get', { monitor_file: monitorFile }, o);
  }
  /** States of the given extensions (all when none given), keyed by extension. */
  statusGet(filter?: string | string[], o?: RequestOptions) {
    const f = Array.isArray(filter) ? (filter.length ? filter : undefined) : filter || undefined;
    return requestAction(this.r, 'call_status_get', { filter: f }, o);
  }
  createConference(stations: string | string[], breakCalls = false, o?: RequestOptions) {
    return requestAction(this.r, 'call_create_conf', { stations, break: breakCalls }, o);
  }
}
