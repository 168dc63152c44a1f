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
const bridge = (c: CallChannel): string | null => (c.bridgedTo || c.bridgeId || null);

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
  for (const t of data.split(/[,|]/)[0].split('&')) {
    const parts = t.trim().split('/');
    if (parts.length < 2 || parts[0] === '' || parts[1] === '') continue;
    const device = `${parts[0]}/${parts[1]}`;
    const number = parts[0] === 'Local' ? parts[1].split('@')[0] : (parts[2] || parts[1]);
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
  const name = given !== '' && given !== number ? given : (m && m[1].trim() !== '' ? m[1].trim() : null);
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

interface Links {
  uf: UnionFind;
  /** Leg index → the number it was dialled as. */
  dialledAs: Map<number, string>;
}

/** Joins channels that are one call: bridges, Local pairs, dials and queue offers. */
function link(list: CallChannel[]): Links {
  const uf = new UnionFind();
  for (let i = 0; i < list.length; i++) uf.add();
  const byName = new Map<string, number>();
  const byPair = new Map<string, number>();
  const partner = new Map<number, number>();
  const byPrefix = new Map<string, number[]>();
  list.forEach((c, i) => {
    byName.set(c.channel, i);
    const key = pairKey(c.channel);
    const half = byPair.get(key);
    if (half === undefined) byPair.set(key, i);
    else {
      uf.union(half, i);
      partner.set(half, i);
      partner.set(i, half);
    }
    const prefix = devicePrefix(c.channel);
    const same = byPrefix.get(prefix);
    if (same) same.push(i);
    else byPrefix.set(prefix, [i]);
  });
  const bridges = new Map<string, number>();
  list.forEach((c, i) => {
    const b = bridge(c);
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
  list.forEach((c, i) => {
    if (lower(c.application) !== 'dial') return;
    for (const t of dialTargets(c.data ?? '')) {
      // A leg bridged to another channel belongs to another call.
      const free = (byPrefix.get(t.device) ?? []).filter((j) => j !== i && !dialledAs.has(j) && isLeg(list[j]) && bridgedWith(list[i], list[j]));
      const leg = free.find((j) => !isLocal(list[j].channel)) ?? free[0];
      if (leg === undefined) continue;
      dialledAs.set(leg, t.number);
      uf.union(i, leg);
    }
  });
  linkQueueOffers(list, uf, partner);
  return { uf, dialledAs };
}

/** b is not bridged, or bridged with a (by name or by a shared bridge id). */
function bridgedWith(a: CallChannel, b: CallChannel): boolean {
  const peer = bridge(b);
  if (!peer) return true;
  return peer === a.channel || pairKey(peer) === pairKey(a.channel) || (!peer.includes('/') && peer === bridge(a));
}

/** A channel the PBX dialled: AppDial/AppQueue, "(Outgoing Line)", or 1.4's masqueraded "Bridged Call". */
const isLeg = (c: CallChannel): boolean => {
  const app = lower(c.application);
  return app === 'appdial' || app === 'appqueue' || app === 'bridged call' || (c.data ?? '').trim() === OUTGOING_LINE;
};

/**
 * A queue offering a caller to an agent: the AppQueue channel (a Local `;1` or the agent's own) is
 * not bridged yet, nor is the caller waiting in Queue with the same exten. The caller is the one
 * whose number the Local `;2` half carries (it dials the agent with the caller's id); without a
 * `;2`, the longest waiting caller of that queue (an assumption: the lines do not say more).
 */
function linkQueueOffers(list: CallChannel[], uf: UnionFind, partner: ReadonlyMap<number, number>): void {
  const waiting = new Map<string, number[]>();
  list.forEach((c, i) => {
    if (lower(c.application) !== 'queue' || bridge(c)) return;
    const w = waiting.get(c.exten);
    if (w) w.push(i);
    else waiting.set(c.exten, [i]);
  });
  if (waiting.size === 0) return;
  list.forEach((c, i) => {
    if (lower(c.application) !== 'appqueue' || bridge(c)) return;
    const callers = waiting.get(c.exten);
    if (!callers || callers.length === 0) return;
    const half = partner.get(i);
    const number = half === undefined ? null : callerOf(list[half]).number;
    uf.union(i, callers.find((j) => number !== null && callerOf(list[j]).number === number) ?? callers[0]);
  });
}

function partyOf(c: CallChannel, index: number, links: Links): Omit<Party, 'connected' | 'peerChannel'> {
  const device = channelExtension(c.channel);
  const role = isLeg(c) ? 'leg' : 'origin';
  const cid = callerOf(c);
  let number: string | null;
  if (role === 'origin') number = cid.number ?? device;
  else number = links.dialledAs.get(index) ?? (/^[0-9*#+]+$/.test(device) ? device : (cid.number ?? device));
  return {
    channel: c.channel, role, number, name: role === 'origin' ? cid.name : null, device,
    isExtension: number === device, uniqueId: (c.uniqueId ?? '').trim(),
  };
}

const isUp = (c: CallChannel): boolean => lower(c.state) === 'up';

/** Up and bridged; where no channel of the call carries a bridged value at all, up with another party up. */
function connection(members: CallChannel[], parties: Array<Omit<Party, 'connected' | 'peerChannel'>>, byName: Map<string, CallChannel>): Party[] {
  const anyBridge = members.some((m) => bridge(m) !== null);
  const up = parties.filter((p) => isUp(byName.get(p.channel) as CallChannel));
  return parties.map((p) => {
    const c = byName.get(p.channel) as CallChannel;
    const connected = isUp(c) && (bridge(c) !== null || (!anyBridge && up.length > 1));
    if (!connected) return { ...p, connected, peerChannel: null };
    const direct = c.bridgedTo && byName.has(c.bridgedTo) && !isLocal(c.bridgedTo) ? c.bridgedTo : null;
    const other = up.find((o) => o.channel !== p.channel);
    return { ...p, connected, peerChannel: direct ?? other?.channel ?? (c.bridgedTo?.includes('/') ? c.bridgedTo : null) };
  });
}

function describeGroup(members: CallChannel[], links: Links, index: Map<CallChannel, number>): CallGroup {
  const byName = new Map(members.map((m) => [m.channel, m]));
  const ends = members.filter((m) => !isLocal(m.channel)).map((m) => partyOf(m, index.get(m) as number, links));
  const ordered = [...ends.filter((p) => p.role === 'origin'), ...ends.filter((p) => p.role === 'leg')];
  const parties = connection(members, ordered, byName);
  const origin = parties.find((p) => p.role === 'origin') ?? null;
  const originChannel = origin ? byName.get(origin.channel) : undefined;
  const queueChannel = originChannel && lower(originChannel.application) === 'queue' ? originChannel : members.find((m) => lower(m.application) === 'queue');
  const queue = queueChannel ? (queueChannel.data ?? '').split(/[,|]/)[0].trim() || null : null;
  let dialled: string | null = null;
  if (originChannel) {
    const targets = lower(originChannel.application) === 'dial' ? dialTargets(originChannel.data ?? '') : [];
    const exten = (originChannel.exten ?? '').trim();
    dialled = targets[0]?.number ?? (exten !== '' && exten !== 's' ? exten : null);
  }
  dialled ??= parties.find((p) => p.role === 'leg')?.number ?? null;
  const first = members[0];
  const firstId = origin?.uniqueId || (first.uniqueId ?? '').trim() || origin?.channel || first.channel;
  return { channels: members.map((m) => m.channel), parties, origin, queue, dialled, firstId };
}

/** The calls a channel list shows, in the order of their first channel. */
export function groupCalls(channels: readonly CallChannel[]): CallGroup[] {
  const list = distinct(channels);
  const links = link(list);
  const components = new Map<number, CallChannel[]>();
  const index = new Map<CallChannel, number>();
  list.forEach((c, i) => {
    index.set(c, i);
    const root = links.uf.find(i);
    const members = components.get(root);
    if (members) members.push(c);
    else components.set(root, [c]);
  });
  const groups: CallGroup[] = [];
  for (const members of components.values()) {
    if (members.some((m) => !isLocal(m.channel))) groups.push(describeGroup(members, links, index));
  }
  return groups;
}
