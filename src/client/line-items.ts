import { CHANNEL_NAME, ConciseChannel, channelExtension, readConciseChannel } from './concise';

/**
 * Reading list lines of any shape. Every non-blank line becomes an item that keeps the line as
 * received (`raw`); a table of recognisers adds fields where a line is in a shape we know (Asterisk
 * CLI output, `key=value` pairs, separated fields); a line nobody recognises is split on its most
 * likely separator (`fields`). Only a `queue show` answer is read by section (see readItems).
 */

/** In a `queue show` answer: which part of a queue a line belongs to. */
export type QueueSection = 'queue' | 'members' | 'callers';

/** What every line item has, whatever its shape. */
interface Line {
  /** The line as received, without its line ending. */
  raw: string;
  /** In a `queue show` answer: the queue the line belongs to, and its section. */
  queue?: string;
  section?: QueueSection;
}

/** `core show hints`: the hint's extension, context, device, state, presence and watcher count. */
export interface HintLine extends Line {
  shape: 'hint';
  extension: string;
  context: string;
  device: string;
  /** The state as the PBX printed it (`Idle`, `InUse`...). */
  state: string;
  presence?: string;
  watchers?: number;
}

/** A `queue show` header: calls waiting, the limit (`unlimited` or a number), strategy and statistics. */
export interface QueueLine extends Line {
  shape: 'queue';
  /** The queue's name. */
  name: string;
  calls: number;
  maxCalls: number | string;
  strategy?: string;
  holdtime?: number;
  talktime?: number;
  weight?: number;
  completed?: number;
  abandoned?: number;
  serviceLevel?: number;
}

/** A waiting caller of `queue show`. */
export interface CallerLine extends Line {
  shape: 'caller';
  /** 1-based place in the queue. */
  position: number;
  channel: string;
  /** The device part of `channel`. */
  extension: string;
  /** Seconds waited. */
  wait?: number;
  priority?: number;
}

/** A queue member of `queue show`. */
export interface MemberLine extends Line {
  shape: 'member';
  /** The member's interface. */
  agent: string;
  /** The member's display name where shown as `Name (Interface)`. */
  memberName?: string;
  /** The device state as the PBX printed it (`Not in use`, `Busy`...). */
  state?: string;
  stateInterface?: string;
  paused?: boolean;
  pausedReason?: string;
  pausedSecsAgo?: number;
  ringInUse?: boolean;
  inCall?: boolean;
  membership?: string;
  callsTaken?: number;
  lastCallSecsAgo?: number;
  loginSecsAgo?: number;
  /** Parenthesised member details not listed above. */
  details?: string[];
}

/** `key=value` pairs. */
export interface PairsLine extends Line {
  shape: 'pairs';
  values: Record<string, string>;
}

/** A bare channel name, alone or followed by text. */
export interface ChannelLine extends Line {
  shape: 'channel';
  channel: string;
  /** The device part of `channel`. */
  extension: string;
  /** What follows the channel name. */
  text?: string;
}

/** A line no recogniser knew, split on its most likely separator. */
export interface FieldsLine extends Line {
  shape: 'fields';
  /** The fields; a list that takes the first as what it names (q_list, agent_list) keeps the rest, none when none is left. */
  fields?: string[];
  /** Where the first field is a channel name. */
  channel?: string;
  extension?: string;
}

/** A list line of a shape other than a concise channel, told apart by `shape` (which recogniser read it). */
export type LineItem = HintLine | QueueLine | CallerLine | MemberLine | PairsLine | ChannelLine | FieldsLine;

export type LineShape = LineItem['shape'];

export type ListItem = ConciseChannel | LineItem;

/** A line item before `raw` is added, of one shape. */
type Draft<L extends LineItem = LineItem> = L extends LineItem ? Omit<L, 'raw'> : never;
type Recogniser = (line: string) => Draft | null;

const DEVICE_STATES = new Set(['unknown', 'not in use', 'in use', 'busy', 'invalid', 'unavailable', 'ringing', 'ring+inuse', 'on hold']);

const isChannel = (s: string): boolean => CHANNEL_NAME.test(s);

/** `core show hints`: `1001@ext-local : SIP/1001 State:Idle Presence:not_set Watchers 0`. */
function hint(line: string): Draft<HintLine> | null {
  const m = /^(\S+?)@(\S+)\s*:\s*(\S+)\s+State:\s*(\S+)(?:\s+Presence:\s*(\S+))?(?:\s+Watchers\s+(\d+))?/.exec(line);
  if (!m) return null;
  const item: Draft<HintLine> = { shape: 'hint', extension: m[1], context: m[2], device: m[3], state: m[4] };
  if (m[5] !== undefined) item.presence = m[5];
  if (m[6] !== undefined) item.watchers = Number(m[6]);
  return item;
}

/**
 * `queue show` header:
 * `VMX has 1 calls (max unlimited) in 'ringall' strategy (4s holdtime, 9s talktime), W:0, C:2, A:1, SL:0.0% within 0s`.
 */
function queueHeader(line: string): Draft<QueueLine> | null {
  const m = /^(\S+)\s+has (\d+) calls? \(max ([^)]*)\)(?: in '([^']*)' strategy)?(.*)$/.exec(line);
  if (!m) return null;
  const item: Draft<QueueLine> = { shape: 'queue', name: m[1], calls: Number(m[2]), maxCalls: /^\d+$/.test(m[3]) ? Number(m[3]) : m[3] };
  if (m[4] !== undefined) item.strategy = m[4];
  const rest = m[5];
  const num = (re: RegExp): number | undefined => {
    const n = re.exec(rest);
    return n ? Number(n[1]) : undefined;
  };
  const stats: Partial<QueueLine> = {
    holdtime: num(/(\d+)s holdtime/),
    talktime: num(/(\d+)s talktime/),
    weight: num(/\bW:(\d+)/),
    completed: num(/\bC:(\d+)/),
    abandoned: num(/\bA:(\d+)/),
    serviceLevel: num(/\bSL:([\d.]+)%/),
  };
  return { ...item, ...defined(stats) };
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `queue show` caller: `1. SIP/1001-0000003a (wait: 2:30, prio: 0)`. */
function caller(line: string): Draft<CallerLine> | null {
  const m = /^(\d+)\.\s+(\S+)(?:\s+\((.*)\))?\s*$/.exec(line);
  if (!m) return null;
  const item: Draft<CallerLine> = { shape: 'caller', position: Number(m[1]), channel: m[2], extension: channelExtension(m[2]) };
  const wait = /wait: (?:(\d+):)?(\d+):(\d+)/.exec(m[3] ?? '');
  if (wait) item.wait = Number(wait[1] ?? 0) * 3600 + Number(wait[2]) * 60 + Number(wait[3]);
  const prio = /prio: (-?\d+)/.exec(m[3] ?? '');
  if (prio) item.priority = Number(prio[1]);
  return item;
}

/** The leading text and the parenthesised groups after it: `a (b) (c (d)) rest` → a, [b, c (d)], rest. */
function groups(line: string): { head: string; groups: string[]; rest: string } | null {
  const open = line.indexOf(' (');
  if (open <= 0) return null;
  const out: string[] = [];
  let i = open + 1;
  while (line[i] === '(') {
    let depth = 0;
    let j = i;
    for (; j < line.length; j++) {
      if (line[j] === '(') depth++;
      else if (line[j] === ')' && --depth === 0) break;
    }
    if (j >= line.length) return null;
    out.push(line.slice(i + 1, j));
    i = j + 1;
    while (line[i] === ' ') i++;
  }
  return { head: line.slice(0, open), groups: out, rest: line.slice(i) };
}

/** A member detail in parentheses, as `queue show` prints them across versions. */
function memberDetail(item: Draft<MemberLine>, details: string[], g: string): void {
  const low = g.toLowerCase();
  const paused = /^paused(?::([^ ]*))?(?: was (\d+) secs ago)?$/.exec(g);
  if (DEVICE_STATES.has(low)) item.state = g;
  else if (paused) {
    item.paused = true;
    if (paused[1]) item.pausedReason = paused[1];
    if (paused[2]) item.pausedSecsAgo = Number(paused[2]);
  } else if (/^ringinuse (enabled|disabled)$/.test(low)) item.ringInUse = low.endsWith('enabled');
  else if (low === 'in call') item.inCall = true;
  else if (low === 'dynamic' || low === 'realtime' || low === 'static') item.membership = low;
  else details.push(g);
}

/** `queue show` member: `[Name (]Interface[)] (detail)... has taken N calls (last was N secs ago) (login was N secs ago)`. */
function member(line: string): Draft<MemberLine> | null {
  const g = groups(line);
  if (!g || g.groups.length === 0) return null;
  const details: string[] = [];
  const first = g.groups[0].split(' from ');
  const named = !isChannel(g.head) && isChannel(first[0]);
  // A display name may hold spaces (`Door Agent (SIP/1001)`); an interface never does.
  if (!named && /\s/.test(g.head)) return null;
  const item: Draft<MemberLine> = { shape: 'member', agent: named ? first[0] : g.head };
  if (named) {
    item.memberName = g.head;
    if (first[1]) item.stateInterface = first[1];
  }
  for (const d of g.groups.slice(named ? 1 : 0)) memberDetail(item, details, d);
  const taken = /has taken (no|\d+) calls?/.exec(g.rest);
  if (taken) item.callsTaken = taken[1] === 'no' ? 0 : Number(taken[1]);
  const last = /last was (\d+) secs ago/.exec(g.rest);
  if (last) item.lastCallSecsAgo = Number(last[1]);
  const login = /login was (\d+) secs ago/.exec(g.rest);
  if (login) item.loginSecsAgo = Number(login[1]);
  if (!named && !isChannel(g.head) && !taken && item.state === undefined) return null;
  if (details.length > 0) item.details = details;
  return item;
}

const PAIR_SEPARATORS = [';', '\t', '|', '&', ',', ' '];
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `key=value` pairs: `channel=SIP/1001-0001;position=1`. */
function pairs(line: string): Draft<PairsLine> | null {
  if (!line.includes('=')) return null;
  for (const sep of PAIR_SEPARATORS.filter((s) => line.includes(s)).concat([''])) {
    // '' stands for "no separator": the line is a single pair.
    if (sep === '' && line.indexOf('=') !== line.lastIndexOf('=')) return null;
    const tokens = (sep === '' ? [line] : line.split(sep)).map((t) => t.trim()).filter((t) => t !== '');
    if (!tokens.every((t) => /^[A-Za-z_][\w.-]*=/.test(t))) continue;
    const values: Record<string, string> = {};
    for (const t of tokens) {
      const key = t.slice(0, t.indexOf('='));
      if (!UNSAFE_KEYS.has(key)) values[key] = t.slice(t.indexOf('=') + 1);
    }
    return { shape: 'pairs', values };
  }
  return null;
}

/** A bare channel name, alone or followed by text: `SIP/1001-0000003a`, `PJSIP/1001 Up 0:12`. */
function bareChannel(line: string): Draft<ChannelLine> | null {
  const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
  // A separator makes the line separated fields; only a Local channel's `;1` (`,1` in 1.4) belongs to the name.
  if (!m || !isChannel(m[1]) || /[;,|]/.test(m[1].replace(/[;,]\d+$/, '')) || /[;\t|]/.test(m[2] ?? '')) return null;
  const item: Draft<ChannelLine> = { shape: 'channel', channel: m[1], extension: channelExtension(m[1]) };
  if (m[2] !== undefined) item.text = m[2];
  return item;
}

/** The separators tried in order; two or more spaces (CLI columns) last. */
const FIELD_SEPARATORS: Array<string | RegExp> = ['!', ';', '\t', '|', ',', /\s{2,}/];

/** The most likely separator's fields; the whole line as one field when there is none. */
export function splitFields(line: string): string[] {
  for (const sep of FIELD_SEPARATORS) {
    const found = typeof sep === 'string' ? line.includes(sep) : sep.test(line);
    if (found) return line.split(sep).map((s) => s.trim());
  }
  return [line];
}

function fields(line: string): Draft<FieldsLine> {
  const f = splitFields(line);
  const item: Draft<FieldsLine> = { shape: 'fields', fields: f };
  if (isChannel(f[0])) {
    item.channel = f[0];
    item.extension = channelExtension(f[0]);
  }
  return item;
}

/** Tried in order; `fields` reads any line. */
const RECOGNISERS: Recogniser[] = [hint, queueHeader, caller, member, pairs, bareChannel];

/** AMI's `Command` action prefixes every line of CLI output with `Output: `. */
export function stripOutputPrefix(line: string): string {
  return line.replace(/^\s*Output:\s?/, '').trim();
}

/** One line, whatever its shape. */
export function readLine(raw: string): ListItem {
  const line = stripOutputPrefix(raw);
  const concise = readConciseChannel(line);
  if (concise) return { ...concise, raw };
  for (const recognise of RECOGNISERS) {
    const item = recognise(line);
    if (item) return { ...item, raw };
  }
  return { ...fields(line), raw };
}

const SECTION_TITLES = /^(Members:|Callers:|No Members|No Callers|No queues\.|No such queue: .*)$/;
const QUEUE_HEADER = /^\S+\s+has \d+ calls? \(max [^)]*\)/;

/** True for an answer in `queue show` layout (a queue header or a section title). */
export function isQueueShow(lines: readonly string[]): boolean {
  return lines.some((l) => {
    const line = stripOutputPrefix(l);
    return SECTION_TITLES.test(line) || QUEUE_HEADER.test(line);
  });
}

/**
 * A `queue show` answer, read by section: a header line opens a queue (an item), `Members:` and
 * `Callers:` open its sections, whose lines are items carrying `queue` and `section`; titles and
 * `No Members` / `No Callers` / `No queues.` lines are not items.
 */
function readQueueShow(lines: readonly string[]): ListItem[] {
  const out: ListItem[] = [];
  let queue: string | undefined;
  let section: QueueSection | undefined;
  for (const raw of lines) {
    const line = stripOutputPrefix(raw);
    if (line === '') continue;
    if (line === 'Members:' || line === 'Callers:') {
      section = line === 'Members:' ? 'members' : 'callers';
      continue;
    }
    if (SECTION_TITLES.test(line)) continue;
    const item = readLine(raw);
    if (item.shape === 'queue') {
      queue = item.name;
      section = 'queue';
    }
    if (queue !== undefined && item.shape !== 'concise') {
      item.queue = queue;
      item.section = section;
    }
    out.push(item);
  }
  return out;
}

/** Every non-blank line of an answer as an item, in order; `queue show` answers by section. */
export function readItems(text: string): ListItem[] {
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  if (isQueueShow(lines)) return readQueueShow(lines);
  // AMI output: every line prefixed, an `Output:` line alone is its blank line.
  const ami = lines.length > 0 && lines.every((l) => /^\s*Output:/.test(l));
  return (ami ? lines.filter((l) => stripOutputPrefix(l) !== '') : lines).map(readLine);
}
