import { ConciseChannel, readConciseChannel } from './concise';
import { ActionFailedError, BadResponseError } from './errors';
import { ExtensionState, readState, readStateLine, stateName } from './ext-states';
import { lines, preview } from './answer-text';
import { LineItem, ListItem, QueueSection, readItems, splitFields, stripOutputPrefix } from './line-items';

/**
 * Parsers for WebTAPI answers. A list answer never fails for the shape of its lines: every
 * non-blank line is an item (see line-items.ts). An answer is an error only where it carries no
 * data: a bare `0`, an HTML page or PHP error text, or (for a single value) text that is not one.
 * Everything this module exports is the package's API: index.ts exports it whole.
 */

export { channelExtension } from './concise';
export type { ConciseChannel } from './concise';
export { readState, stateName };
export type { ExtensionState, ExtensionStateName } from './ext-states';
export type {
  CallerLine,
  ChannelLine,
  FieldsLine,
  HintLine,
  LineItem,
  LineShape,
  ListItem,
  MemberLine,
  PairsLine,
  QueueLine,
  QueueSection,
} from './line-items';

/** An item of a channel list (call_list, call_list_all, q_call_list, q_waiting_list). */
export type ChannelListItem = ConciseChannel | (LineItem & { channel?: string; extension?: string; position?: number });

/** An item of q_list: the queue's `name` where the line gives one. */
export type QueueListItem = ConciseChannel | (LineItem & { name?: string });

/** An item of agent_list: `agent` (the interface) and `state` where the line gives them. */
export type AgentListItem = ConciseChannel | (LineItem & { agent?: string; state?: string });

/** A channel list item read as a concise channel line (the name used before list items of any shape). */
export type Channel = ConciseChannel;

export interface RelayInfo {
  id: string;
  name?: string;
  status?: number;
  /** The line as received, without its line ending. */
  raw: string;
  /** Fields after id, name and status. */
  fields?: string[];
}

export interface CameraInfo {
  id: string;
  name?: string;
  raw: string;
  /** Fields after id and name. */
  fields?: string[];
}

export interface RecordingInfo {
  /** The file name (the first field of the line). */
  file: string;
  raw: string;
  /** Fields after the file name. */
  fields?: string[];
}

const HTML_START = /^\s*<(!doctype|html|head|body|br|b|p|div|table|title|h[1-6]|pre|script|style|meta)\b/i;
const PHP_ERROR = /(<b>\s*|^\s*(PHP )?)(Warning|Fatal error|Parse error|Notice|Deprecated)(<\/b>)?:\s.*\bon line\b/im;

/** An HTML page or a PHP error text: recognisably not a WebTAPI answer. */
export function isNotWebTapi(text: string): boolean {
  return HTML_START.test(text) || PHP_ERROR.test(text);
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

/** One concise channel line; a BadResponseError when the line is not one. */
export function parseChannelLine(action: string, line: string): ConciseChannel {
  const c = readConciseChannel(line);
  if (!c) throw new BadResponseError(action, `${preview(line)} is not a concise channel line (12 to 14 fields separated by "!")`);
  return c;
}

/**
 * The items of a list answer; a bare `0`, `No such queue`, an HTML page or a PHP error is no list.
 * Given a `section`, a `queue show` answer gives that section's lines only (lines of no section,
 * before any queue header or title, are data and stay).
 */
function listItems(action: string, text: string, section?: QueueSection): ListItem[] {
  if (isNotWebTapi(text)) throw new BadResponseError(action, `an HTML page or PHP error instead of a list: ${preview(text.trim())}`);
  const all = lines(text);
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  if (all.length === 1 && /^No such queue\b/.test(stripOutputPrefix(all[0])))
    throw new ActionFailedError(action, `the PBX answered ${preview(all[0])}`);
  const items = readItems(text);
  if (section === undefined) return items;
  return items.filter((i) => i.shape === 'concise' || i.section === undefined || i.section === section);
}

/** The first value of the first key present. */
function pick(values: Record<string, string> | undefined, keys: readonly string[]): string | undefined {
  if (!values) return undefined;
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(values, k)) return values[k];
  return undefined;
}

const integer = (v: string | undefined): number | undefined => (v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v) : undefined);

/**
 * Channel lists (call_list, call_list_all, q_call_list): concise channel lines as ConciseChannel,
 * other lines as LineItem with `channel`, `extension` and `position` where present.
 */
export function parseChannels(action: string, text: string, section?: QueueSection): ChannelListItem[] {
  return listItems(action, text, section).map((item): ChannelListItem => {
    if (item.shape !== 'pairs') return item;
    const channel = pick(item.values, ['channel', 'Channel', 'chan']);
    const position = integer(pick(item.values, ['position', 'Position', 'pos']));
    return { ...item, ...(channel !== undefined ? { channel } : {}), ...(position !== undefined ? { position } : {}) };
  });
}

/** q_waiting_list: a channel list; of a `queue show` answer, its callers. */
export function parseCallers(action: string, text: string): ChannelListItem[] {
  return parseChannels(action, text, 'callers');
}

type Named<K extends 'name' | 'agent'> = ConciseChannel | (LineItem & { [P in K]?: string });

/**
 * Fills `key` (a queue's `name`, an agent's interface) where the line did not give it: from
 * `key=value` pairs, or the first field (`fields` then holds the rest, as q_list did before).
 */
function named<K extends 'name' | 'agent'>(item: ListItem, key: K, keys: readonly string[]): Named<K> {
  if (item.shape === 'concise' || (item as { [P in K]?: string })[key] !== undefined) return item;
  const withKey = (base: LineItem, value: string | undefined): Named<K> =>
    (value === undefined ? base : { ...base, [key]: value }) as Named<K>;
  switch (item.shape) {
    case 'pairs':
      return withKey(item, pick(item.values, keys));
    case 'channel':
      return withKey(item, item.channel);
    case 'hint':
      return withKey(item, key === 'agent' ? item.device : item.extension);
    case 'fields': {
      const [first, ...rest] = item.fields ?? [];
      const { fields: _taken, ...line } = item;
      return first === undefined ? item : withKey(rest.length > 0 ? { ...line, fields: rest } : line, first);
    }
    default:
      return item;
  }
}

/** q_list: every item with the queue's `name` where the line gives one; of a `queue show` answer, its queues. */
export function parseQueues(action: string, text: string): QueueListItem[] {
  return listItems(action, text, 'queue').map((item) => named(item, 'name', ['name', 'queue', 'Queue']));
}

/** agent_list: every item with `agent` (the interface) and `state` where the line gives them; of a `queue show` answer, its members. */
export function parseAgents(action: string, text: string): AgentListItem[] {
  return listItems(action, text, 'members').map((item): AgentListItem => {
    const out: AgentListItem = named(item, 'agent', ['agent', 'interface', 'member', 'location', 'name']);
    if (out.shape === 'concise' || out.state !== undefined) return out;
    const state =
      out.shape === 'pairs'
        ? pick(out.values, ['state', 'status', 'State', 'Status'])
        : out.shape === 'fields'
          ? out.fields?.find((f) => /[A-Za-z]/.test(f) && readState(f) !== null)
          : undefined;
    return state === undefined ? out : { ...out, state };
  });
}

/** The fields of a line: its `key=value` pairs' values under `keys`, or its separated fields. */
function leading(item: ListItem, keys: readonly string[][]): { known: Array<string | undefined>; rest: string[] } {
  if (item.shape === 'pairs') return { known: keys.map((k) => pick(item.values, k)), rest: [] };
  const f = splitFields(stripOutputPrefix(item.raw));
  return { known: keys.map((_, i) => f[i]), rest: f.slice(keys.length) };
}

/** call_record_list: one file name per line (D). */
export function parseList(action: string, text: string): RecordingInfo[] {
  return listItems(action, text).map((item) => {
    const {
      known: [file],
      rest,
    } = leading(item, [['file', 'name', 'monitor_file']]);
    const out: RecordingInfo = { file: file ?? stripOutputPrefix(item.raw), raw: item.raw };
    if (rest.length > 0) out.fields = rest;
    return out;
  });
}

export function parseRelays(action: string, text: string): RelayInfo[] {
  return listItems(action, text).map((item) => {
    const {
      known: [id, name, status],
      rest,
    } = leading(item, [['id', 'relay_id', 'relay'], ['name'], ['status', 'state']]);
    const relay: RelayInfo = { id: id ?? stripOutputPrefix(item.raw), raw: item.raw };
    if (name !== undefined && name !== '') relay.name = name;
    if (integer(status) !== undefined) relay.status = integer(status);
    if (rest.length > 0) relay.fields = rest;
    return relay;
  });
}

export function parseCameras(action: string, text: string): CameraInfo[] {
  return listItems(action, text).map((item) => {
    const {
      known: [id, name],
      rest,
    } = leading(item, [['id', 'CAMID', 'camid', 'cam_id'], ['name']]);
    const camera: CameraInfo = { id: id ?? stripOutputPrefix(item.raw), raw: item.raw };
    if (name !== undefined && name !== '') camera.name = name;
    if (rest.length > 0) camera.fields = rest;
    return camera;
  });
}

/**
 * call_status_get: one state a line (`1001:0`, `1001 InUse`, a `core show hints` line...); or, for a
 * single-extension filter, the bare code. Lines that carry no state (a title, say) are skipped;
 * an answer none of whose lines carries one is a BadResponseError.
 */
export function parseStatusMap(action: string, text: string, filter?: string): Record<string, ExtensionState> {
  if (isNotWebTapi(text)) throw new BadResponseError(action, `an HTML page or PHP error instead of states: ${preview(text.trim())}`);
  const all = lines(text)
    .map(stripOutputPrefix)
    .filter((l) => l !== '');
  const out: Record<string, ExtensionState> = {};
  // Asked for one extension, some PBXs answer its code alone (the document lists the codes as
  // the return values). The caller has made sure the session is valid, so a 0 here is "idle".
  if (filter !== undefined && !filter.includes(',') && all.length === 1 && /^-?\d+$/.test(all[0])) {
    const code = Number(all[0]);
    out[filter] = { code, state: stateName(code) };
    return out;
  }
  if (all.length === 1 && all[0] === '0') throw new ActionFailedError(action);
  let read = 0;
  for (const line of all) {
    const entry = readStateLine(line);
    if (!entry || entry[0] === '__proto__') continue;
    out[entry[0]] = entry[1];
    read++;
  }
  if (read === 0 && all.length > 0) throw new BadResponseError(action, `no line reads as "extension:state": ${preview(all[0])}`);
  return out;
}
