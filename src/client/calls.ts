import { ActionArea } from './actions';
import type { RequestOptions } from './types';

/** Call management: calls, pickup, hangup, priority calls, recordings, extension states, conferences. */
export class Calls extends ActionArea {
  call(src: string, dst: string, o?: RequestOptions) {
    return this.ask('call', { src, dst }, o);
  }
  pick(chan: string, dst: string, o?: RequestOptions) {
    return this.ask('call_pick', { chan, dst }, o);
  }
  hangup(chan: string, o?: RequestOptions) {
    return this.ask('call_hangup', { chan }, o);
  }
  prio(dst: string, o?: RequestOptions) {
    return this.ask('call_prio', { dst }, o);
  }
  list(o?: RequestOptions) {
    return this.ask('call_list', {}, o);
  }
  listAll(o?: RequestOptions) {
    return this.ask('call_list_all', {}, o);
  }
  /** Resolves to the file name the PBX records into. */
  recordStart(chan: string, monitorFile?: string, o?: RequestOptions) {
    return this.ask('call_record_start', { chan, monitor_file: monitorFile }, o);
  }
  recordStop(chan: string, o?: RequestOptions) {
    return this.ask('call_record_stop', { chan }, o);
  }
  recordList(o?: RequestOptions) {
    return this.ask('call_record_list', {}, o);
  }
  recordGet(monitorFile: string, o?: RequestOptions) {
    return this.ask('call_record_get', { monitor_file: monitorFile }, o);
  }
  /** States of the given extensions (all when none given), keyed by extension. */
  statusGet(filter?: string | string[], o?: RequestOptions) {
    const f = Array.isArray(filter) ? (filter.length ? filter : undefined) : filter || undefined;
    return this.ask('call_status_get', { filter: f }, o);
  }
  createConference(stations: string | string[], breakCalls = false, o?: RequestOptions) {
    return this.ask('call_create_conf', { stations, break: breakCalls }, o);
  }
}
