import { ActionFailedError, BadResponseError } from './errors';

/**
 * Parsers for WebTAPI answers. Lenient about layout (LF or CRLF, blank lines, spacing),
 * strict about meaning: anything they cannot read is a BadResponseError, never a guess.
 */

export interface Channel {
  channel: string;
  context: string;
  exten: string;
  priority: number | null;
  state: string;
  application: string;
  data: string;
  callerId: string;
  accountCode: string;
  peerAccount: string;
  amaFlags: string;
  /** Seconds. */
  duration: number;
  bridgedTo: string | null;
  uniqueId: string;
  /** The device part of the channel: `SIP/1004-0000003a` → `1004`. */
  extension: string;
  raw: string;
}

export type ExtensionStateName =
  | 'not_found' | 'idle' | 'inuse' | 'busy' | 'unavailable' | 'ringing'
  | 'inuse_ringing' | 'hold' | 'inuse_hold' | 'unknown';

export interface ExtensionState {
  code: number;
  state: ExtensionStateName;
}

export interface RelayInfo {
  id: string;
  name?: string;
  status?: number;
}

export interface CameraInfo {
  id: string;
  name?: string;
}

const STATE_NAMES: Record<number, ExtensionStateName> = {
  [-1]: 'not_found',
  0: 'idle',
  1: 'inuse',
  2: 'busy',
  4: 'unavailable',
  8: 'ringing',
  9: 'inuse_ringing',
  16: 'hold',
  17: 'inuse_hold',
};

export function stateName(code: number): ExtensionStateName {
  return STATE_NAMES[code] ?? 'unknown';
}

/** Non-empty, trimmed lines. */
export function lines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    const trimmed = line.trim();
    if (trimmed !== '') out.push(trimmed);
  }
  return out;
}

export function isZero(text: string): boolean {
  return text.trim() === '0';
}

/** A `1`/`0` answer. */
export function parseBoolean(action: string, text: string): true {
  const answer = text.trim();
  if (answer === '1') return true;
  if (answer === '0') throw new ActionFailedError(action);
  throw new BadResponseError(action, `expected 1 or 0, got ${preview(answer)}`);
}

/** An answer that is a name (call_record_start's file name) or `0`. */
export function parseName(action: string, text: string): string {
  const all = lines(text);
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  if (all.length !== 1 || /[<>\s]/.test(all[0])) throw new BadResponseError(action, `expected one name, got ${preview(text.trim())}`);
  return all[0];
}

/** A number (relay_status_get answers the relay's status itself, so `0` means off). */
export function parseNumber(action: string, text: string): number {
  const answer = text.trim();
  if (!/^-?\d+$/.test(answer)) throw new BadResponseError(action, `expected a number, got ${preview(answer)}`);
  return Number(answer);
}

/** The device part of an Asterisk channel name: `SIP/1004-0000003a` → `1004`, `Local/prio-1@ctx-0001;1` → `prio-1`. */
export function channelExtension(channel: string): string {
  const slash = channel.indexOf('/');
  const device = slash >= 0 ? channel.slice(slash + 1) : channel;
  // Local/exten@context-0001;1: the unique suffix follows the context, not the extension.
  const at = device.indexOf('@');
  if (at >= 0) return device.slice(0, at);
  const dash = device.lastIndexOf('-');
  return dash > 0 ? device.slice(0, dash) : device;
}

function bridged(value: string): string | null {
  const v = value.trim();
  return v === '' || v === '(None)' || v.toLowerCase() === '(none)' ? null : v;
}

function seconds(action: string, value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // Some Asterisk versions print hh:mm:ss.
  const m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(v);
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  if (v === '') return 0;
  throw new BadResponseError(action, `channel duration ${preview(v)} is not a number of seconds`);
}

/**
 * One Asterisk "concise" channel line. 14 fields: channel!context!exten!priority!state!application!
 * data!callerId!accountCode!peerAccount!amaFlags!duration!bridgedTo!uniqueId. 13 fields come in two
 * layouts: Asterisk 1.6 (priority, no peerAccount) when the 4th field is a number, otherwise the
 * document's own example (no priority; callerId, callerIdName, accountCode, amaFlags).
 */
export function parseChannelLine(action: string, line: string): Channel {
  const f = line.split('!');
  if (f.length > 14 && f[f.length - 1] === '') f.pop();
  let c: Omit<Channel, 'extension' | 'raw'>;
  if (f.length === 14) {
    c = {
      channel: f[0], context: f[1], exten: f[2], priority: toPriority(f[3]), state: f[4], application: f[5],
      data: f[6], callerId: f[7], accountCode: f[8], peerAccount: f[9], amaFlags: f[10],
      duration: seconds(action, f[11]), bridgedTo: bridged(f[12]), uniqueId: f[13],
    };
  } else if (f.length === 13 && /^\d+$/.test(f[3].trim())) {
    c = {
      channel: f[0], context: f[1], exten: f[2], priority: toPriority(f[3]), state: f[4], application: f[5],
      data: f[6], callerId: f[7], accountCode: f[8], peerAccount: '', amaFlags: f[9],
      duration: seconds(action, f[10]), bridgedTo: bridged(f[11]), uniqueId: f[12],
    };
  } else if (f.length === 13) {
    c = {
      channel: f[0], context: f[1], exten: f[2], priority: null, state: f[3], application: f[4],
      data: f[5], callerId: f[6], accountCode: f[8], peerAccount: '', amaFlags: f[9],
      duration: seconds(action, f[10]), bridgedTo: bridged(f[11]), uniqueId: f[12],
    };
  } else {
    throw new BadResponseError(action, `a channel line has ${f.length} fields, expected 13 or 14`);
  }
  const channel = c.channel.trim();
  if (!channel) throw new BadResponseError(action, 'a channel line has no channel name');
  return { ...c, channel, extension: channelExtension(channel), raw: line };
}

function toPriority(value: string): number | null {
  const v = value.trim();
  return /^\d+$/.test(v) ? Number(v) : null;
}

/** A channel list; a bare `0` is the PBX's error answer. */
export function parseChannels(action: string, text: string): Channel[] {
  const all = lines(text);
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  return all.map((line) => parseChannelLine(action, line));
}

/**
 * call_status_get: one `extension<sep>code` per line, the separator being `:`, `=`, `;`, `,`,
 * a tab or spaces; or, for a single-extension filter, the bare code.
 */
export function parseStatusMap(action: string, text: string, filter?: string): Record<string, ExtensionState> {
  const all = lines(text);
  const out: Record<string, ExtensionState> = {};
  // Asked for one extension, some PBXs answer its code alone (the document lists the codes as
  // the return values). The caller has made sure the session is valid, so a 0 here is "idle".
  if (filter !== undefined && !filter.includes(',') && all.length === 1 && /^-?\d+$/.test(all[0])) {
    const code = Number(all[0]);
    out[filter] = { code, state: stateName(code) };
    return out;
  }
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  for (const line of all) {
    const m = /^(.+?)\s*(?:[:=;,\t]|\s)\s*(-?\d+)$/.exec(line);
    if (!m || m[1].trim() === '') throw new BadResponseError(action, `status line ${preview(line)} is not "extension:code"`);
    const code = Number(m[2]);
    const ext = m[1].trim();
    if (ext === '__proto__') throw new BadResponseError(action, 'an extension named __proto__');
    out[ext] = { code, state: stateName(code) };
  }
  return out;
}

function fields(line: string): string[] {
  const sep = line.includes(';') ? ';' : line.includes('\t') ? '\t' : line.includes('|') ? '|' : null;
  return sep === null ? [line] : line.split(sep).map((s) => s.trim());
}

/** A list of names, one a line (call_record_list, agent_list...). */
export function parseList(action: string, text: string): string[] {
  const all = lines(text);
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  for (const line of all) {
    if (/<\/?[a-z][^>]*>/i.test(line)) throw new BadResponseError(action, `markup in a list: ${preview(line)}`);
  }
  return all;
}

/** q_list: queue names, or objects when a line carries fields. */
export function parseQueues(action: string, text: string): Array<string | { name: string; fields: string[] }> {
  return parseList(action, text).map((line) => {
    const f = fields(line);
    return f.length === 1 ? f[0] : { name: f[0], fields: f.slice(1) };
  });
}

export function parseRelays(action: string, text: string): RelayInfo[] {
  return parseList(action, text).map((line) => {
    const [id, name, status] = fields(line);
    const relay: RelayInfo = { id };
    if (name !== undefined && name !== '') relay.name = name;
    if (status !== undefined && /^-?\d+$/.test(status)) relay.status = Number(status);
    return relay;
  });
}

export function parseCameras(action: string, text: string): CameraInfo[] {
  return parseList(action, text).map((line) => {
    const [id, name] = fields(line);
    return name !== undefined && name !== '' ? { id, name } : { id };
  });
}

/** An answer whose format the document does not give: `1` → true, `0` → error, other text as is. */
export function parseLoose(action: string, text: string): true | string {
  const answer = text.trim();
  if (answer === '1') return true;
  if (answer === '0') throw new ActionFailedError(action);
  if (answer === '' || /<\/?[a-z][^>]*>/i.test(answer)) throw new BadResponseError(action, `got ${preview(answer)}`);
  return answer;
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine === '' ? 'an empty answer' : `"${oneLine.length > 60 ? oneLine.slice(0, 60) + '…' : oneLine}"`;
}
