import { groupCalls, type CallChannel, type CallGroup, type Party } from './call-graph';

/**
 * Call events (ring, call, connect, disconnect) from successive channel lists. Pure: the caller
 * polls `call_list_all`, hands each list with its time to `update()` and gets the events back; no
 * timers, no I/O. One tracker per consumer (each has its own extensions and its own start). The
 * rules are in docs/protocol.md ("Calls from channel lists").
 */

export type CallEventKind = 'ring' | 'call' | 'connect' | 'disconnect';

export interface CallEvent {
  event: CallEventKind;
  /** Stable for all events of one call: the unique id of its first channel. */
  callId: string;
  /** The watched extension the event is about. */
  extension: string;
  /** in: the extension is called; out: the extension calls. */
  direction: 'in' | 'out';
  /**
   * The calling party. `channel` is its own channel (`SIP/1009-000000b0`): which device places the
   * call, which a caller id set by anyone on a trunk cannot fake; null where the list does not show it.
   */
  caller: Caller;
  called: { number: string | null };
  /** The watched extension's channel. */
  channel: string;
  /** null until connected. */
  peerChannel: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  ringSeconds: number;
  talkSeconds: number;
  answered: boolean;
  /** The queue the call came through (queue calls only). */
  queue?: string;
  /** The call ended while the PBX could not be polled: when exactly is unknown. */
  uncertain?: true;
}

/** Polling failed from `from` to `to`: calls that started and ended in between were not seen. */
export interface GapEvent {
  event: 'gap';
  from: string;
  to: string;
  seconds: number;
}

export type MonitorEvent = CallEvent | GapEvent;

export interface Caller {
  number: string | null;
  name: string | null;
  channel: string | null;
}

export interface CallTrackerOptions {
  /** Watched extensions; null or empty: every party whose channel is its own number (a phone, not a trunk). */
  extensions?: readonly string[] | null;
}

interface Leg {
  extension: string;
  direction: 'in' | 'out';
  channel: string;
  peerChannel: string | null;
  caller: Caller;
  called: { number: string | null };
  queue: string | null;
  startedAt: number;
  answeredAt: number | null;
  /** Already in progress when the tracker started: followed, never reported. */
  silent: boolean;
}

interface TrackedCall {
  id: string;
  startedAt: number;
  channels: string[];
  originNumber: string | null;
  /** The parties' numbers in the last list. */
  numbers: Array<string | null>;
  /** Some party of the call has been connected. */
  answered: boolean;
  legs: Map<string, Leg>;
  /** Extensions whose part in this call has ended: one disconnect each, so a return is not reported. */
  left: Set<string>;
}

/** Ids handed out, remembered so that a new call never gets the id of an old one. */
const MAX_REMEMBERED_IDS = 10_000;

const seconds = (ms: number): number => Math.round(Math.max(0, ms) / 100) / 10;

export class CallTracker {
  private readonly watched: ReadonlySet<string> | null;
  private calls: TrackedCall[] = [];
  private byChannel = new Map<string, TrackedCall>();
  private readonly usedIds = new Map<string, number>();
  private lastOk: number | null = null;
  private failedSince: number | null = null;
  private lastAt = -Infinity;

  constructor(options: CallTrackerOptions = {}) {
    const list = (options.extensions ?? []).filter((e) => e !== '');
    this.watched = list.length > 0 ? new Set(list) : null;
  }

  /** Calls in progress on the watched extensions. */
  get inProgress(): number {
    return this.calls.filter((c) => c.legs.size > 0).length;
  }

  /** A poll failed at `at` (epoch ms): the next update starts with a gap event. */
  failed(at: number): void {
    if (this.failedSince === null) this.failedSince = at;
  }

  /** The channel list of one poll, taken at `at` (epoch ms). The first list is the start: nothing in it is reported. */
  update(channels: readonly CallChannel[], at: number): MonitorEvent[] {
    return this.updateGroups(groupCalls(channels), at);
  }

  /** As update(), with the calls already grouped (one grouping shared by several trackers). */
  updateGroups(groups: readonly CallGroup[], atMs: number): MonitorEvent[] {
    const at = Math.max(atMs, this.lastAt);
    this.lastAt = at;
    const first = this.lastOk === null;
    const out: MonitorEvent[] = [];
    const gap = !first && this.failedSince !== null;
    if (gap) out.push({ event: 'gap', from: iso(this.lastOk as number), to: iso(at), seconds: seconds(at - (this.lastOk as number)) });
    this.failedSince = null;
    this.lastOk = at;

    const pairs = this.match(groups, gap);
    const continuing = new Set(pairs.map(([, call]) => call));
    for (const call of this.calls) {
      if (continuing.has(call)) continue;
      this.setChannels(call, []);
      for (const leg of call.legs.values()) if (!leg.silent) out.push(this.event('disconnect', call, leg, at, gap));
    }
    for (const [group, call] of pairs) this.follow(call, group, at, first, gap, out);
    this.calls = pairs.map(([, call]) => call);
    return out;
  }

  /**
   * The call's channels, and the index from channel to call kept up to date in place: most calls
   * do not change from one poll to the next, and a rebuilt index of every channel each poll would
   * be most of the garbage a poll makes.
   */
  private setChannels(call: TrackedCall, channels: string[]): boolean {
    const old = call.channels;
    if (old.length === channels.length && old.every((ch, i) => ch === channels[i])) return false;
    for (const ch of old) if (this.byChannel.get(ch) === call) this.byChannel.delete(ch);
    call.channels = channels;
    for (const ch of channels) this.byChannel.set(ch, call);
    return true;
  }

  /** Each group with the call it continues (sharing a channel, or the same parties on new channels) or a new call. */
  private match(groups: readonly CallGroup[], gap: boolean): Array<[CallGroup, TrackedCall]> {
    const taken = new Set<TrackedCall>();
    const pairs: Array<[CallGroup, TrackedCall | null]> = groups.map((g) => {
      let best: TrackedCall | null = null;
      for (const ch of g.channels) {
        const call = this.byChannel.get(ch);
        if (call && !taken.has(call) && (best === null || call.startedAt < best.startedAt)) best = call;
      }
      if (best) taken.add(best);
      return [g, best];
    });
    let gone: TrackedCall[] | null = null;
    return pairs.map(([g, call]) => {
      if (call) return [g, call];
      // Answered legs may be new channels (Asterisk 1.8): the same parties whose old channels are all gone.
      gone ??= gap ? [] : this.vanished(groups, taken);
      const same = gone.find((c) => !taken.has(c) && sameParties(c, g));
      if (same) {
        taken.add(same);
        return [g, same];
      }
      return [g, this.newCall(g)];
    });
  }

  /** Calls not continued by a channel of theirs, with none of their channels in the list. */
  private vanished(groups: readonly CallGroup[], taken: ReadonlySet<TrackedCall>): TrackedCall[] {
    const present = new Set(groups.flatMap((g) => g.channels));
    return this.calls.filter((c) => !taken.has(c) && c.channels.every((ch) => !present.has(ch)));
  }

  private newCall(g: CallGroup): TrackedCall {
    const n = this.usedIds.get(g.firstId) ?? 0;
    this.usedIds.delete(g.firstId);
    this.usedIds.set(g.firstId, n + 1);
    if (this.usedIds.size > MAX_REMEMBERED_IDS) this.usedIds.delete(this.usedIds.keys().next().value as string);
    return {
      id: n === 0 ? g.firstId : `${g.firstId}#${n + 1}`,
      startedAt: this.lastAt,
      channels: [],
      originNumber: null,
      numbers: [],
      answered: false,
      legs: new Map(),
      left: new Set(),
    };
  }

  /** Brings one call up to date with its group: legs appear, connect, or leave the call. */
  private follow(call: TrackedCall, g: CallGroup, at: number, first: boolean, gap: boolean, out: MonitorEvent[]): void {
    if (this.setChannels(call, g.channels)) call.numbers = g.parties.map((p) => p.number);
    call.originNumber = g.origin?.number ?? call.originNumber;
    call.answered ||= g.parties.some((p) => p.connected);
    const present = this.watchedParties(g.parties);
    for (const [ext, leg] of call.legs) {
      if (present.some(([e]) => e === ext)) continue;
      call.legs.delete(ext);
      call.left.add(ext);
      if (!leg.silent) out.push(this.event('disconnect', call, leg, at, gap));
    }
    for (const [ext, p] of present) {
      const caller: Caller =
        p.role === 'origin'
          ? { number: p.number, name: p.name, channel: p.channel }
          : { number: g.origin?.number ?? null, name: g.origin?.name ?? null, channel: g.origin?.channel ?? null };
      let leg = call.legs.get(ext);
      if (!leg) {
        leg = {
          extension: ext,
          direction: p.role === 'origin' ? 'out' : 'in',
          channel: p.channel,
          peerChannel: null,
          caller,
          called: { number: g.dialled },
          queue: g.queue,
          startedAt: at,
          answeredAt: null,
          silent: first || call.left.has(ext),
        };
        call.legs.set(ext, leg);
        if (!leg.silent) out.push(this.event(leg.direction === 'in' ? 'ring' : 'call', call, leg, at, false));
      } else if (leg.answeredAt === null) {
        if (caller.number !== null) leg.caller = { ...caller, channel: caller.channel ?? leg.caller.channel };
        else leg.caller.channel = caller.channel ?? leg.caller.channel;
        if (g.dialled !== null) leg.called = { number: g.dialled };
        leg.queue ??= g.queue;
      }
      leg.channel = p.channel;
      if (!p.connected) continue;
      leg.peerChannel = p.peerChannel ?? leg.peerChannel;
      if (leg.answeredAt !== null) continue;
      leg.answeredAt = at;
      if (!leg.silent) out.push(this.event('connect', call, leg, at, false));
    }
  }

  /** The watched extensions among the parties, each with its first party. */
  private watchedParties(parties: readonly Party[]): Array<[string, Party]> {
    const out: Array<[string, Party]> = [];
    const add = (ext: string, p: Party): void => {
      if (!out.some(([e]) => e === ext)) out.push([ext, p]);
    };
    for (const p of parties) {
      if (this.watched === null) {
        if (p.isExtension && p.number !== null) add(p.number, p);
        continue;
      }
      if (p.number !== null && this.watched.has(p.number)) add(p.number, p);
      if (p.device !== p.number && this.watched.has(p.device)) add(p.device, p);
    }
    return out;
  }

  private event(kind: CallEventKind, call: TrackedCall, leg: Leg, at: number, uncertain: boolean): CallEvent {
    const ended = kind === 'disconnect' ? at : null;
    const now = ended ?? at;
    const e: CallEvent = {
      event: kind,
      callId: call.id,
      extension: leg.extension,
      direction: leg.direction,
      caller: { ...leg.caller },
      called: { ...leg.called },
      channel: leg.channel,
      peerChannel: leg.peerChannel,
      startedAt: iso(leg.startedAt),
      answeredAt: leg.answeredAt === null ? null : iso(leg.answeredAt),
      endedAt: ended === null ? null : iso(ended),
      ringSeconds: seconds((leg.answeredAt ?? now) - leg.startedAt),
      talkSeconds: leg.answeredAt === null ? 0 : seconds(now - leg.answeredAt),
      answered: leg.answeredAt !== null,
    };
    if (leg.queue !== null) e.queue = leg.queue;
    if (uncertain) e.uncertain = true;
    return e;
  }
}

/**
 * The same call answered on new channels (Asterisk 1.8): a call that was still ringing, now gone,
 * and a connected group of the same origin number and parties. A new call between the same parties
 * after an answered one is a new call.
 */
function sameParties(call: TrackedCall, g: CallGroup): boolean {
  if (call.answered || !g.parties.some((p) => p.connected)) return false;
  if (call.originNumber === null || g.origin?.number !== call.originNumber) return false;
  const numbers = g.parties.map((p) => p.number).filter((n): n is string => n !== null);
  return numbers.length > 1 && numbers.every((n) => call.numbers.includes(n));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Every event of a sequence of polls, for scripts and tests: `[{ at, channels }, ...]`. */
export function callEvents(
  polls: ReadonlyArray<{ at: number; channels?: readonly CallChannel[]; failed?: boolean }>,
  options?: CallTrackerOptions,
): MonitorEvent[] {
  const tracker = new CallTracker(options);
  const out: MonitorEvent[] = [];
  for (const p of polls) {
    if (p.failed || !p.channels) tracker.failed(p.at);
    else out.push(...tracker.update(p.channels, p.at));
  }
  return out;
}
