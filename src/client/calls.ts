import type { BinaryAnswer } from './answer';
import type { ExtensionState, ListItem, RecordingInfo } from './parsers';
import type { RequestOptions, Requester } from './types';

/** Call management: calls, pickup, hangup, priority calls, recordings, extension states, conferences. */
export class Calls {
  constructor(private readonly r: Requester) {}

  call(src: string, dst: string, o?: RequestOptions): Promise<true> {
    return this.r.request('call', { src, dst }, o) as Promise<true>;
  }
  pick(chan: string, dst: string, o?: RequestOptions): Promise<true> {
    return this.r.request('call_pick', { chan, dst }, o) as Promise<true>;
  }
  hangup(chan: string, o?: RequestOptions): Promise<true> {
    return this.r.request('call_hangup', { chan }, o) as Promise<true>;
  }
  prio(dst: string, o?: RequestOptions): Promise<true> {
    return this.r.request('call_prio', { dst }, o) as Promise<true>;
  }
  /** Concise channel lines as ConciseChannel (`shape: 'concise'`), other lines as LineItem. */
  list(o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('call_list', {}, o) as Promise<ListItem[]>;
  }
  listAll(o?: RequestOptions): Promise<ListItem[]> {
    return this.r.request('call_list_all', {}, o) as Promise<ListItem[]>;
  }
  /** Resolves to the file name the PBX records into. */
  recordStart(chan: string, monitorFile?: string, o?: RequestOptions): Promise<string> {
    return this.r.request('call_record_start', { chan, monitor_file: monitorFile }, o) as Promise<string>;
  }
  recordStop(chan: string, o?: RequestOptions): Promise<true> {
    return this.r.request('call_record_stop', { chan }, o) as Promise<true>;
  }
  recordList(o?: RequestOptions): Promise<RecordingInfo[]> {
    return this.r.request('call_record_list', {}, o) as Promise<RecordingInfo[]>;
  }
  recordGet(monitorFile: string, o?: RequestOptions): Promise<BinaryAnswer> {
    return this.r.request('call_record_get', { monitor_file: monitorFile }, o) as Promise<BinaryAnswer>;
  }
  /** States of the given extensions (all when none given), keyed by extension. */
  statusGet(filter?: string | string[], o?: RequestOptions): Promise<Record<string, ExtensionState>> {
    const f = Array.isArray(filter) ? (filter.length ? filter : undefined) : filter || undefined;
    return this.r.request('call_status_get', { filter: f }, o) as Promise<Record<string, ExtensionState>>;
  }
  createConference(stations: string | string[], breakCalls = false, o?: RequestOptions): Promise<true> {
    return this.r.request('call_create_conf', { stations, break: breakCalls }, o) as Promise<true>;
  }
}
