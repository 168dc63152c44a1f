import { channelExtension } from './parsers';

/**
 * Which channels of one `call_list_all` belong to one call, and who is who in it. Pure: one
 * channel list in, the calls it shows out; the rules are in docs/protocol.md ("Calls from channel
 * lists"). Works for every Asterisk shape of the list: up to 11 the bridged field names the peer
 * channel, from 12 on it is a bridge id shared by the channels of one bridge.
 */

/** The fields of a concise channel line the call rules read (a parsed `Channel` has them all). */
export interface CallChannel {
  channel: string;
  exten: string;
  state: string;
  application: string;
  data: string;
  callerId: string;
  /** The caller id name, where the PBX gives one (the document's 13-field layout). */
  callerIdName?: string | null;
  /** The peer channel (Asterisk ≤ 11); null when not bridged. A bridge id here is read as one, too. */
  bridgedTo: string | null;
  /** The bridge id (Asterisk 12+), shared by the channels of one bridge; null when not bridged. */
  bridgeId?: string | null;
  uniqueId?: string;
}

/** A phone or trunk end of a call (Local channels are plumbing, never parties). */
export interface Party {
  channel: string;
  /** origin: the channel that placed the call; leg: a channel the PBX dialled. */
  role: 'origin' | 'leg';
  /** The party's number: caller id of an origin; dialled number of a leg. */
  number: string | null;
  name: string | null;
  /** The device part of the channel name: `SIP/1004-0000003a` → `1004`. */
  device: string;
  /** The device is the number: a phone of the PBX, not a trunk. */
  isExtension: boolean;
  /** Up and bridged (both sides answered). */
  connected: boolean;
  /** The party at the other end once connected. */
  peerChannel: string | null;
  uniqueId: string;
}

export interface CallGroup {
  /** Every channel of the call, Local halves included. */
  channels: string[];
  /** Origins first, then legs, each in list order. */
  parties: Party[];
  origin: Party | null;
  /** The queue the call went through. */
  queue: string | null;
  /** The number the origin dialled (Dial target, its dialled exten, or the queue's number). */
  dialled: string | null;
  /** The origin's unique id (else the first channel's, else its name): the call's id when first seen. */
  firstId: string;
}

const OUTGOING_LINE = '(Outgoing Line)';

const lower = (s: string | undefined): string => (s ?? '').trim().toLowerCase();

/** The bridged field, whichever form it has: a peer channel name or a bridge id. */
const bridge = (c: CallChannel): string | null => c.bridgedTo || c.bridgeId || null;

/** `Local/603@ctx-92f4;1` and `;2` (and 1.4's `,1`) are one pair: one key for both. */
function pairKey(name: string): string {
  return name.startsWith('Local/') ? name.replace(/[;,][12]$/, '') : name;
}

const isLocal = (name: string): boolean => name.startsWith('Local/');

/** `SIP/105-0000017a` → `SIP/105`; `Local/207@sugarsip-ca35;1` → `Local/207@sugarsip`; `Console/dsp` stays. */
function devicePrefix(name: string): string {
  const base = pairKey(name);
  const slash = base.indexOf('/');
  const dash = base.lastIndexOf('-');
  return dash > slash ? base.slice(0, dash) : base;
}

interface DialTarget {
  device: string;
  number: string;
}

/** `SIP/105&SIP/99105,20,TtrI` (1.4: `|` separators), `SIP/trunk/0891234`, `Local/207@ctx/n`. */
export function dialTargets(data: string): DialTarget[] {
  const out: DialTarget[] = [];
  let end = data.length;
  const comma = data.indexOf(',');
  const bar = data.indexOf('|');
  if (comma >= 0) end = comma;
  if (bar >= 0 && bar < end) end = bar;
  for (const t of data.slice(0, end).split('&')) {
    const parts = t.trim().split('/');
    if (parts.length < 2 || parts[0] === '' || parts[1] === '') continue;
    const device = `${parts[0]}/${parts[1]}`;
    const number = parts[0] === 'Local' ? parts[1].split('@')[0] : parts[2] || parts[1];
    out.push({ device, number });
  }
  return out;
}

/** `"Erika" <+4930123>` or `Erika <+4930123>` → both parts; a plain number stays. */
function callerOf(c: CallChannel): { number: string | null; name: string | null } {
  const cid = (c.callerId ?? '').trim();
  const m = /^"?([^"<]*?)"?\s*<([^>]*)>$/.exec(cid);
  const number = (m ? m[2].trim() : cid) || null;
  const given = (c.callerIdName ?? '').trim();
  const name = given !== '' && given !== number ? given : m && m[1].trim() !== '' ? m[1].trim() : null;
  return { number, name };
}

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** The list with one entry per channel name (a repeated line counts once). */
function distinct(channels: readonly CallChannel[]): CallChannel[] {
  const seen = new Set<string>();
  const out: CallChannel[] = [];
  for (const c of channels) {
    if (!c || typeof c.channel !== 'string' || c.channel === '' || seen.has(c.channel)) continue;
    seen.add(c.channel);
    out.push(c);
  }
  return out;
}

/** What the rules read of one channel, worked out once per list. */
interface Facts {
  c: CallChannel;
  /** Lower-case application. */
  app: string;
  bridge: string | null;
  local: boolean;
  leg: boolean;
  up: boolean;
  /** Dial targets of a channel in application Dial. */
  targets: DialTarget[] | null;
}

function factsOf(c: CallChannel): Facts {
  const app = lower(c.application);
  const leg = app === 'appdial' || app === 'appqueue' || app === 'bridged call' || (c.data ?? '').trim() === OUTGOING_LINE;
  return {
    c,
    app,
    bridge: bridge(c),
    local: isLocal(c.channel),
    leg,
    up: lower(c.state) === 'up',
    targets: app === 'dial' ? dialTargets(c.data ?? '') : null,
  };
}

interface Links {
  uf: UnionFind;
  /** Leg index → the number it was dialled as. */
  dialledAs: Map<number, string>;
}

/** Joins channels that are one call: bridges, Local pairs, dials and queue offers. */
function link(facts: Facts[]): Links {
  const uf = new UnionFind();
  const byName = new Map<string, number>();
  const byPair = new Map<string, number>();
  const partner = new Map<number, number>();
  const byPrefix = new Map<string, number[]>();
  for (let i = 0; i < facts.length; i++) {
    uf.add();
    const name = facts[i].c.channel;
    byName.set(name, i);
    const key = pairKey(name);
    const half = byPair.get(key);
    if (half === undefined) byPair.set(key, i);
    else {
      uf.union(half, i);
      partner.set(half, i);
      partner.set(i, half);
    }
    // Only a leg can be a Dial target.
    if (!facts[i].leg) continue;
    const prefix = devicePrefix(name);
    const same = byPrefix.get(prefix);
    if (same) same.push(i);
    else byPrefix.set(prefix, [i]);
  }
  const bridges = new Map<string, number>();
  facts.forEach((f, i) => {
    const b = f.bridge;
    if (b === null) return;
    if (b.includes('/')) {
      const peer = byName.get(b) ?? byPair.get(pairKey(b));
      if (peer !== undefined) uf.union(i, peer);
      return;
    }
    const node = bridges.get(b);
    if (node === undefined) bridges.set(b, i);
    else uf.union(node, i);
  });
  const dialledAs = new Map<number, string>();
  facts.forEach((f, i) => {
    for (const t of f.targets ?? []) {
      // A leg bridged to another channel belongs to another call.
      const free = (byPrefix.get(t.device) ?? []).filter((j) => j !== i && !dialledAs.has(j) && bridgedWith(f, facts[j]));
      const leg = free.find((j) => !facts[j].local) ?? free[0];
      if (leg === undefined) continue;
      dialledAs.set(leg, t.number);
      uf.union(i, leg);
    }
  });
  linkQueueOffers(facts, uf, partner);
  return { uf, dialledAs };
}

/** b is not bridged, or bridged with a (by name or by a shared bridge id). */
function bridgedWith(a: Facts, b: Facts): boolean {
  const peer = b.bridge;
  if (!peer) return true;
  return peer === a.c.channel || pairKey(peer) === pairKey(a.c.channel) || (!peer.includes('/') && peer === a.bridge);
}

/**
 * A queue offering a caller to an agent: the AppQueue channel (a Local `;1` or the agent's own) is
 * not bridged yet, nor is the caller waiting in Queue with the same exten. The caller is the one
 * whose number the Local `;2` half carries (it dials the agent with the caller's id); without a
 * `;2`, the longest waiting caller of that queue (an assumption: the lines do not say more).
 */
function linkQueueOffers(facts: Facts[], uf: UnionFind, partner: ReadonlyMap<number, number>): void {
  const waiting = new Map<string, number[]>();
  facts.forEach((f, i) => {
    if (f.app !== 'queue' || f.bridge) return;
    const w = waiting.get(f.c.exten);
    if (w) w.push(i);
    else waiting.set(f.c.exten, [i]);
  });
  if (waiting.size === 0) return;
  facts.forEach((f, i) => {
    if (f.app !== 'appqueue' || f.bridge) return;
    const callers = waiting.get(f.c.exten);
    if (!callers || callers.length === 0) return;
    const half = partner.get(i);
    const number = half === undefined ? null : callerOf(facts[half].c).number;
    uf.union(i, callers.find((j) => number !== null && callerOf(facts[j].c).number === number) ?? callers[0]);
  });
}

const DIGITS = /^[0-9*#+]+$/;

function partyOf(f: Facts, index: number, links: Links): Party {
  const c = f.c;
  const device = channelExtension(c.channel);
  const cid = callerOf(c);
  let number: string | null;
  if (!f.leg) number = cid.number ?? device;
  else number = links.dialledAs.get(index) ?? (DIGITS.test(device) ? device : (cid.number ?? device));
  return {
    channel: c.channel,
    role: f.leg ? 'leg' : 'origin',
    number,
    name: f.leg ? null : cid.name,
    device,
    isExtension: number === device,
    connected: false,
    peerChannel: null,
    uniqueId: (c.uniqueId ?? '').trim(),
  };
}

/**
 * Up and bridged; where no channel of the call carries a bridged value at all, up with another
 * party up. The peer: the bridged channel when it is a party, else another party that is up.
 */
function connect(members: number[], facts: Facts[], ends: Array<[Party, Facts]>): void {
  const anyBridge = members.some((i) => facts[i].bridge !== null);
  const up = ends.filter(([, f]) => f.up);
  for (const [p, f] of ends) {
    p.connected = f.up && (f.bridge !== null || (!anyBridge && up.length > 1));
    if (!p.connected) continue;
    const named = f.c.bridgedTo;
    const direct = named ? ends.find(([o]) => o.channel === named)?.[0].channel : undefined;
    const other = up.find(([o]) => o !== p)?.[0].channel;
    p.peerChannel = direct ?? other ?? (named && named.includes('/') ? named : null);
  }
}

function describeGroup(members: number[], facts: Facts[], links: Links): CallGroup {
  const ends: Array<[Party, Facts]> = [];
  for (const i of members) if (!facts[i].local && !facts[i].leg) ends.push([partyOf(facts[i], i, links), facts[i]]);
  for (const i of members) if (!facts[i].local && facts[i].leg) ends.push([partyOf(facts[i], i, links), facts[i]]);
  connect(members, facts, ends);
  const parties = ends.map(([p]) => p);
  const originEnd = ends.find(([p]) => p.role === 'origin');
  const origin = originEnd ? originEnd[0] : null;
  const originFacts = originEnd?.[1];
  const queueFacts = originFacts?.app === 'queue' ? originFacts : members.map((i) => facts[i]).find((f) => f.app === 'queue');
  const queue = queueFacts ? (queueFacts.c.data ?? '').split(/[,|]/)[0].trim() || null : null;
  let dialled: string | null = null;
  if (originFacts) {
    const exten = (originFacts.c.exten ?? '').trim();
    dialled = originFacts.targets?.[0]?.number ?? (exten !== '' && exten !== 's' ? exten : null);
  }
  dialled ??= parties.find((p) => p.role === 'leg')?.number ?? null;
  const first = facts[members[0]].c;
  const firstId = origin?.uniqueId || (first.uniqueId ?? '').trim() || origin?.channel || first.channel;
  return { channels: members.map((i) => facts[i].c.channel), parties, origin, queue, dialled, firstId };
}

/** The calls a channel list shows, in the order of their first channel. */
export function groupCalls(channels: readonly CallChannel[]): CallGroup[] {
  const facts = distinct(channels).map(factsOf);
  const links = link(facts);
  const components = new Map<number, number[]>();
  for (let i = 0; i < facts.length; i++) {
    const root = links.uf.find(i);
    const members = components.get(root);
    if (members) members.push(i);
    else components.set(root, [i]);
  }
  const groups: CallGroup[] = [];
  for (const members of components.values()) {
    if (members.some((i) => !facts[i].local)) groups.push(describeGroup(members, facts, links));
  }
  return groups;
}
