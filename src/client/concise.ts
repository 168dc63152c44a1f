/**
 * Asterisk "concise" channel lines (`core show channels concise`), as every Asterisk version prints
 * them. Field names follow Asterisk's (`ast_channel_*`), camel-cased:
 *
 * | Asterisk | fields | layout |
 * |---|---|---|
 * | 1.2 | 12, `:` | channel:context:exten:priority:state:application:data:callerId:accountCode:amaFlags:duration:bridged |
 * | 1.4 | 12, `!` | the same with `!` |
 * | 1.6 | 13 | … accountCode!amaFlags!duration!bridged!uniqueId |
 * | 1.8 – 22 | 14 | … accountCode!peerAccount!amaFlags!duration!bridged!uniqueId |
 * | document | 13 | channel!context!exten!state!application!data!callerId!callerIdName!accountCode!amaFlags!duration!bridged!uniqueId |
 *
 * `bridged` is the peer channel's name up to Asterisk 11 (`(None)` when not bridged) and the bridge
 * id (a UUID shared by the channels of one bridge, empty when not bridged) from 12 on.
 */
export interface ConciseChannel {
  /** Tells a concise channel from the other list items (see LineItem). */
  shape: 'concise';
  channel: string;
  context: string;
  exten: string;
  /** null where the layout has no priority (the document's 13-field example). */
  priority: number | null;
  /** Asterisk's channel state text: `Down`, `Ring`, `Ringing`, `Up`, `Busy`, ... */
  state: string;
  application: string;
  data: string;
  callerId: string;
  /** The caller id name: only the document's 13-field layout has one; '' otherwise. */
  callerIdName: string;
  accountCode: string;
  /** Asterisk 1.8+; '' otherwise. */
  peerAccount: string;
  amaFlags: string;
  /** Seconds; null where the PBX printed none (`-` or an empty field). */
  duration: number | null;
  /** The bridged peer channel (Asterisk up to 11), null when not bridged or when the PBX gives a bridge id. */
  bridgedTo: string | null;
  /** The bridge id (Asterisk 12+), null when not bridged or when the PBX gives the peer channel. */
  bridgeId: string | null;
  /** '' where the layout has none (Asterisk 1.2/1.4). */
  uniqueId: string;
  /** The device part of the channel: `SIP/1004-0000003a` → `1004`. */
  extension: string;
  /** How many fields the line had: 12, 13 or 14. */
  fieldCount: 12 | 13 | 14;
  /** The line as received, without its line ending. */
  raw: string;
}

/** A technology/resource channel name: `SIP/1001-0000003a`, `PJSIP/door`, `Local/603@ctx-92f4;1`, `DAHDI/5-1`. */
export const CHANNEL_NAME = /^[A-Za-z][A-Za-z0-9_]*\/[^\s!]+$/;

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

/** Asterisk 1.8 to 22 (14 fields); the older layouts leave fields of it out. */
const LAYOUT_14 = [
  'channel',
  'context',
  'exten',
  'priority',
  'state',
  'application',
  'data',
  'callerId',
  'accountCode',
  'peerAccount',
  'amaFlags',
  'duration',
  'bridged',
  'uniqueId',
] as const;

/** A text field of a concise line, by its name in ConciseChannel (`bridged` before it is told apart). */
type Field = (typeof LAYOUT_14)[number] | 'callerIdName';

/** Asterisk 1.6 (13 fields): no peer account. */
const LAYOUT_13: readonly Field[] = LAYOUT_14.filter((field) => field !== 'peerAccount');
/** Asterisk 1.2 and 1.4 (12 fields): no unique id either. */
const LAYOUT_12: readonly Field[] = LAYOUT_13.filter((field) => field !== 'uniqueId');
/** The document's 13-field example: no priority, a caller id name after the caller id. */
const LAYOUT_13_DOCUMENT: readonly Field[] = [
  'channel',
  'context',
  'exten',
  'state',
  'application',
  'data',
  'callerId',
  'callerIdName',
  'accountCode',
  'amaFlags',
  'duration',
  'bridged',
  'uniqueId',
];

function layoutOf(f: string[]): readonly Field[] {
  if (f.length === 14) return LAYOUT_14;
  if (f.length === 12) return LAYOUT_12;
  // Asterisk 1.6 has the priority as 4th field; the document's example has the state there.
  return /^\d+$/.test(f[3].trim()) ? LAYOUT_13 : LAYOUT_13_DOCUMENT;
}

/** The line's fields by name, as its layout places them; a field the layout lacks is ''. */
function named(f: string[]): Record<Field, string> {
  const c = Object.fromEntries([...LAYOUT_14, 'callerIdName'].map((field) => [field, ''])) as Record<Field, string>;
  layoutOf(f).forEach((field, i) => (c[field] = f[i]));
  return c;
}

function priority(value: string): number | null {
  const v = value.trim();
  return /^\d+$/.test(v) ? Number(v) : null;
}

function seconds(value: string): number | null {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // Some Asterisk versions print hh:mm:ss.
  const m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(v);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/** Splits a line into its concise fields, or null when it has not 12 to 14 of them. */
function split(line: string): string[] | null {
  let f = line.split('!');
  if (f.length > 14 && f[f.length - 1] === '') f.pop();
  // Application data may itself hold a `!`: with a unique id last, the surplus belongs to `data`.
  if (f.length > 14 && /^\d+\.\d+$/.test(f[f.length - 1].trim())) {
    const extra = f.length - 14;
    f = [...f.slice(0, 6), f.slice(6, 7 + extra).join('!'), ...f.slice(7 + extra)];
  }
  if (f.length >= 12 && f.length <= 14) return f;
  // Asterisk 1.2 separated the same 12 fields with ':'.
  const colon = line.split(':');
  return colon.length === 12 && CHANNEL_NAME.test(colon[0].trim()) ? colon : null;
}

/**
 * Reads one concise channel line; null when the line is not one (too few or too many fields, no
 * channel name). Never throws.
 */
export function readConciseChannel(raw: string): ConciseChannel | null {
  const f = split(raw.trim());
  if (f === null) return null;
  const c = named(f);
  const channel = c.channel.trim();
  if (channel === '' || /\s/.test(channel)) return null;
  const bridged = c.bridged.trim();
  const none = bridged === '' || bridged.toLowerCase() === '(none)';
  const isChannel = !none && CHANNEL_NAME.test(bridged);
  return {
    shape: 'concise',
    channel,
    context: c.context,
    exten: c.exten,
    priority: priority(c.priority),
    state: c.state,
    application: c.application,
    data: c.data,
    callerId: c.callerId,
    callerIdName: c.callerIdName.trim(),
    accountCode: c.accountCode,
    peerAccount: c.peerAccount,
    amaFlags: c.amaFlags,
    uniqueId: c.uniqueId.trim(),
    duration: seconds(c.duration),
    bridgedTo: isChannel ? bridged : null,
    bridgeId: none || isChannel ? null : bridged,
    extension: channelExtension(channel),
    fieldCount: f.length as 12 | 13 | 14,
    raw,
  };
}
