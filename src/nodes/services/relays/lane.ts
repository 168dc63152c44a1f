/*
 * One relay's single writer: operations on the relay run one at a time in arrival order, pulses
 * are retriggerable, a pulse's switch-back is repeated until the PBX confirms it, and a switch to
 * the rest state of the running pulse ("off wins") ends that pulse now. Plain logic:
 * the PBX, the journal and the node's log and status are handed in (see relay-hub.ts for the
 * Node-RED side), so it is tested without Node-RED.
 */
import { isErrorCode, mayHaveReachedPbx } from '../../../client/codes';
import { AbortedError, RelayNotRestoredError, messageOf } from '../../../client/errors';

/** What the lane needs from the PBX. */
export interface LaneIo {
  /** relay_status_set; resolves with the parameters sent on the PBX's `1`, rejects with its error. */
  set(status: number, signal?: AbortSignal): Promise<Record<string, string>>;
  /** relay_status_get. */
  read(signal?: AbortSignal): Promise<number>;
}

/** The pending switch-back of this lane, kept where a restart finds it. */
export interface LaneJournal {
  record(entry: { target: number; back: number; due: number; restoreMs: number; node: string }): Promise<void>;
  clear(): Promise<void>;
}

/** Who asked for an operation: its log, audit trail and status. */
export interface Reporter {
  readonly id: string;
  /** The asking node, the same for all its messages (a reporter is made per message). */
  readonly owner?: object;
  /** Set when the asking node closed: its queued operations are dropped. */
  readonly signal?: AbortSignal;
  /** One audit line; `result` is an error code, or absent on success. */
  audit(fields: Record<string, string>, result?: string): void;
  pulsing(ms: number): void;
  switchingBack(attempt: number): void;
  warn(text: string): void;
  /** A failure no message carries any more (the asking nodes closed). */
  error(text: string): void;
}

export interface SwitchResult {
  final: number;
  params: Record<string, string>;
}

export interface LaneOptions {
  /** First pause between switch-back attempts, doubled up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Called whenever nothing is queued or running any more. */
  onIdle?: () => void;
}

type Phase = 'queued' | 'on' | 'wait' | 'back';

/** A switch-back request in flight, aborted at its deadline. */
interface Attempt {
  ctl: AbortController;
  deadline: number;
  timer?: NodeJS.Timeout;
}

interface Pulse {
  target: number | null;
  back: number;
  /** When the relay switches back; NaN before the relay is on. */
  due: number;
  /** The latest end a joining pulse asked for. */
  extendTo: number;
  ms: number;
  restoreMs: number;
  phase: Phase;
  owner: Reporter;
  /** Who takes part, one per asking node (its latest message's reporter): see join(). */
  reporters: Map<object, Reporter>;
  cut: boolean;
  /** The switch to the rest state that cut the pulse short; it audits the switch-back. */
  endedBy: Reporter | null;
  /** Switches to the rest state waiting for this pulse's switch-back as their own. */
  joiners: Joiner[];
  wake: () => void;
  /** Extra audit fields of the switch-back (a pulse resumed after a restart). */
  note: Record<string, string>;
  result: Promise<SwitchResult>;
}

interface Joiner {
  by: Reporter;
  resolve: (outcome: SwitchResult | Promise<SwitchResult>) => void;
  reject: (err: unknown) => void;
}

/** The failure may have reached the PBX (the audit trail records it). */
function reachedPbx(code: string): boolean {
  return isErrorCode(code) && mayHaveReachedPbx(code);
}

/** The switch may have happened: it reached the PBX and was not refused with a `0`. */
function mayHaveSwitched(code: string): boolean {
  return reachedPbx(code) && code !== 'WEBTAPI_ACTION_FAILED';
}

/** An attempt is not started with less time than this before the deadline. */
const LAST_ATTEMPT_MS = 100;

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'WEBTAPI_ERROR';
}

function words(code: string): string {
  return code
    .replace(/^WEBTAPI_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

export function backStatus(target: number): number {
  return target === 0 ? 1 : 0;
}

/**
 * A switch to `target` (null: toggle) ends the pulse `p`: it asks for the pulse's rest state. A
 * toggle during the pulse would read the pulse's status and switch to the rest state; once the
 * switch-back is under way it reads the relay after it, as in arrival order.
 */
function endsPulse(p: Pulse, target: number | null): boolean {
  if (p.target === null) return false; // a toggling pulse still reading the relay: its rest state is not known yet
  return target === null ? p.phase === 'on' || p.phase === 'wait' : target === p.back;
}

/**
 * `by` takes part in the pulse `p`. One entry per asking node: a node's messages share its status
 * and its close signal, so a pulse retriggered a thousand times still reports to each node once.
 */
function join(p: Pulse, by: Reporter): void {
  p.reporters.set(by.owner ?? by, by);
}

export class RelayLane {
  private tail: Promise<void>;
  /** The last operation queued: a pulse may be joined only while it is the last. */
  private last: Pulse | object | null = null;
  private running = 0;
  /** The pulse on the relay now (switching on, holding or switching back). */
  private active: Pulse | null = null;
  private closing = false;
  private idleWaiters: Array<() => void> = [];
  /** Set on shutdown: switch-backs stop retrying at this time. */
  private closeBy = Infinity;
  private attempt: Attempt | null = null;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly onIdle: () => void;

  constructor(
    readonly relay: string,
    private readonly io: LaneIo,
    private readonly journal: LaneJournal,
    ready: Promise<unknown> = Promise.resolve(),
    options: LaneOptions = {},
  ) {
    this.tail = ready.then(
      () => undefined,
      () => undefined,
    );
    this.minDelay = options.minDelayMs ?? 250;
    this.maxDelay = options.maxDelayMs ?? 1000;
    this.onIdle = options.onIdle ?? (() => undefined);
  }

  /** Switches to `target` (null: toggle, reading the status after the previous operation). */
  switchTo(target: number | null, by: Reporter): Promise<SwitchResult> {
    const running = this.active;
    if (running && endsPulse(running, target)) return this.cut(running, by);
    return this.plainSwitch(target, by);
  }

  private plainSwitch(target: number | null, by: Reporter): Promise<SwitchResult> {
    const token = {};
    return this.enqueue(token, async () => {
      if (by.signal?.aborted || this.closing) throw new AbortedError('relay_status_set');
      const status = target ?? backStatus(await this.io.read(by.signal));
      const params = await this.first(status, by);
      // A later confirmed switch supersedes a switch-back that failed before.
      await this.journal.clear();
      return { final: status, params };
    });
  }

  /** Switches to `target` for `ms`, then back until confirmed; joins a running pulse to the same status. */
  pulse(target: number | null, ms: number, restoreMs: number, by: Reporter): Promise<SwitchResult> {
    const now = Date.now();
    const current = this.last as Pulse | null;
    if (target !== null && current && 'phase' in current && current.phase !== 'back' && !current.cut && current.target === target) {
      current.extendTo = Math.max(current.extendTo, now + ms);
      current.owner = by;
      current.restoreMs = restoreMs;
      join(current, by);
      if (current.phase === 'wait') by.pulsing(ms);
      if (current.phase === 'wait' && current.extendTo > current.due) {
        current.due = current.extendTo;
        void this.record(current);
        current.wake();
      }
      return current.result;
    }
    const p = this.newPulse(target, ms, restoreMs, by, now + ms);
    p.result = this.enqueue(p, async () => {
      this.active = p;
      try {
        return await this.runPulse(p);
      } finally {
        this.active = null;
        this.releaseJoiners(p);
      }
    });
    return p.result;
  }

  /** Carries out a switch-back recorded before a restart: at `due`, or now if that has passed. */
  resume(
    entry: { target: number; back: number; due: number; restoreMs: number },
    by: Reporter,
    note: Record<string, string>,
  ): Promise<SwitchResult> {
    const p = this.newPulse(entry.target, 0, entry.restoreMs, by, entry.due);
    p.back = entry.back;
    p.note = note;
    p.result = this.enqueue(p, async () => {
      this.active = p;
      try {
        p.phase = 'wait';
        p.due = Math.max(entry.due, p.extendTo);
        await this.waitForDue(p);
        return { final: p.back, params: await this.restoreAndClear(p) };
      } finally {
        this.active = null;
        this.releaseJoiners(p);
      }
    });
    return p.result;
  }

  /** The pulse switches back now: every pulse, or the one the node `owner` takes part in. */
  cutShort(owner?: object): void {
    const p = this.active;
    if (p && (owner === undefined || this.involves(owner))) {
      p.cut = true;
      p.wake();
    }
  }

  /** Shutdown: every pulse switches back now, retries stop at `deadline`, queued work is dropped. */
  close(deadline: number): void {
    this.closeBy = deadline;
    this.closing = true;
    this.cutShort();
    if (this.attempt) this.armAttempt(this.attempt);
  }

  /** Whether the node `owner` takes part in a pulse on this lane that is not over yet. */
  involves(owner: object): boolean {
    return this.active !== null && this.active.reporters.has(owner);
  }

  /**
   * "Off" wins: `by` asked for the rest state of the running pulse. The pulse switches back now
   * and that switch-back, confirmed as always, answers `by` too: one relay_status_set, not two.
   * Something queued after the pulse still runs first (arrival order): then `by` is a switch of
   * its own after it, and only the pulse is cut short.
   */
  private cut(p: Pulse, by: Reporter): Promise<SwitchResult> {
    if (!p.cut) {
      p.cut = true;
      p.endedBy = by;
      p.wake();
    }
    if (this.last !== p) return this.plainSwitch(p.back, by);
    join(p, by);
    return new Promise<SwitchResult>((resolve, reject) => p.joiners.push({ by, resolve, reject }));
  }

  /** The pulse is over: switches that waited for its switch-back but did not get one are sent on their own. */
  private releaseJoiners(p: Pulse): void {
    for (const j of p.joiners.splice(0)) j.resolve(this.plainSwitch(p.back, j.by));
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private newPulse(target: number | null, ms: number, restoreMs: number, by: Reporter, extendTo: number): Pulse {
    return {
      target,
      back: target === null ? 0 : backStatus(target),
      due: NaN,
      extendTo,
      ms,
      restoreMs,
      phase: 'queued',
      owner: by,
      reporters: new Map([[by.owner ?? by, by]]),
      cut: false,
      endedBy: null,
      joiners: [],
      wake: () => undefined,
      note: {},
      result: Promise.resolve({ final: 0, params: {} }),
    };
  }

  private enqueue<T>(token: object, work: () => Promise<T>): Promise<T> {
    this.last = token;
    this.running++;
    const result = this.tail.then(work);
    this.tail = result
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        if (this.last === token) this.last = null;
        if (--this.running === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          this.onIdle();
        }
      });
    return result;
  }

  private async runPulse(p: Pulse): Promise<SwitchResult> {
    if ([...p.reporters.values()].every((r) => r.signal?.aborted) || this.closing) throw new AbortedError('relay_status_set');
    if (p.target === null) {
      p.target = backStatus(await this.io.read(p.owner.signal));
      p.back = backStatus(p.target);
    }
    const target = p.target;
    p.phase = 'on';
    p.due = Date.now() + p.ms;
    await this.record(p);
    let failure: unknown;
    try {
      await this.first(target, p.owner);
    } catch (err) {
      const code = errorCode(err);
      if (!mayHaveSwitched(code)) {
        await this.journal.clear();
        throw err;
      }
      // The switch may have happened (its answer was lost): a pulse still ends switched back, or a
      // door opener could stay on with nobody told. Switching back is harmless if it did not.
      p.owner.warn(
        `relay ${this.relay}: switching to ${target} may have happened (${words(code)}); switching back to ${p.back} after the pulse all the same`,
      );
      failure = err;
    }
    p.due = Math.max(Date.now() + p.ms, p.extendTo);
    p.phase = 'wait';
    if (!p.cut) for (const r of p.reporters.values()) r.pulsing(p.ms);
    await this.waitForDue(p);
    const params = await this.restoreAndClear(p);
    if (failure !== undefined) throw failure;
    return { final: p.back, params };
  }

  /** The first switch of an operation: sent once, never repeated; audited as it went. */
  private async first(status: number, by: Reporter): Promise<Record<string, string>> {
    try {
      // Not aborted when the asking node closes: a pulse half done finishes by switching back.
      const params = await this.io.set(status);
      by.audit(params);
      return params;
    } catch (err) {
      const code = errorCode(err);
      if (reachedPbx(code)) by.audit({ relay_id: this.relay, status: String(status) }, code);
      throw err;
    }
  }

  private async record(p: Pulse): Promise<void> {
    await this.journal.record({
      target: p.target ?? backStatus(p.back),
      back: p.back,
      due: p.due,
      restoreMs: p.restoreMs,
      node: p.owner.id,
    });
  }

  /** Sleeps until the pulse is due; a joining pulse moves `due`, a shutdown cuts it short. */
  private async waitForDue(p: Pulse): Promise<void> {
    while (!p.cut && Date.now() < p.due && Date.now() < this.closeBy) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(p.due, this.closeBy) - Date.now()));
        p.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    p.wake = () => undefined;
    p.phase = 'back';
    if (p.cut || Date.now() >= this.closeBy) {
      if (p.endedBy === null) p.owner.warn(`relay ${this.relay}: pulse cut short by shutdown, switching back to ${p.back} now`);
      // Due now: if it is not confirmed before the shutdown ends, the next start does it at once.
      if (p.due > Date.now()) {
        p.due = Date.now();
        await this.record(p);
      }
    }
  }

  /** The switch-back, and its answer to the switches that joined it. */
  private async restoreAndClear(p: Pulse): Promise<Record<string, string>> {
    let params: Record<string, string>;
    try {
      params = await this.restore(p);
    } catch (err) {
      // Left switched with nobody waiting for the answer (the nodes were redeployed): still said.
      const unheard = [...p.reporters.values()].every((r) => r.signal?.aborted);
      if (unheard && !this.closing) p.owner.error(messageOf(err));
      for (const j of p.joiners.splice(0)) j.reject(err);
      throw err;
    }
    await this.journal.clear();
    for (const j of p.joiners.splice(0)) j.resolve({ final: p.back, params });
    return params;
  }

  /** Sends the switch-back until the PBX confirms it, with capped back-off, until the deadline. */
  private async restore(p: Pulse): Promise<Record<string, string>> {
    const deadline = Date.now() + p.restoreMs;
    let delay = this.minDelay;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) for (const r of p.reporters.values()) r.switchingBack(attempt);
      const fields: Record<string, string> = {
        relay_id: this.relay,
        status: String(p.back),
        ...(attempt > 1 ? { attempt: String(attempt) } : {}),
        ...p.note,
      };
      const done = await this.tryOnce(p, fields, deadline);
      if (done.params) return done.params;
      const reason = done.reason;
      const limit = Math.min(deadline, this.closeBy);
      const left = limit - Date.now();
      // The last attempt goes out shortly before the limit, with time left for an answer.
      if (left < LAST_ATTEMPT_MS) {
        const detail = limit === this.closeBy ? `shutdown; last: ${reason}` : `last: ${reason}`;
        throw new RelayNotRestoredError(this.relay, p.back, attempt, detail);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left - LAST_ATTEMPT_MS)));
      delay = Math.min(delay * 2, this.maxDelay);
    }
  }

  /** One attempt: set, then where relay_status_get answers, a read that shows the back-status. */
  private async tryOnce(
    p: Pulse,
    fields: Record<string, string>,
    deadline: number,
  ): Promise<{ params?: Record<string, string>; reason: string }> {
    const attempt: Attempt = { ctl: new AbortController(), deadline };
    this.attempt = attempt;
    this.armAttempt(attempt);
    try {
      let params: Record<string, string>;
      try {
        params = await this.io.set(p.back, attempt.ctl.signal);
      } catch (err) {
        (p.endedBy ?? p.owner).audit(fields, errorCode(err));
        return { reason: words(errorCode(err)) };
      }
      let seen: number | undefined;
      try {
        seen = await this.io.read(attempt.ctl.signal);
      } catch {
        seen = undefined; // the PBX does not answer relay_status_get: its `1` is the confirmation
      }
      // 0 is also relay_status_get's error answer: only another non-zero status disproves the `1`.
      if (seen !== undefined && seen !== p.back && seen !== 0) {
        (p.endedBy ?? p.owner).audit(fields, `not-confirmed-read-${seen}`);
        return { reason: `relay_status_get shows ${seen}` };
      }
      (p.endedBy ?? p.owner).audit({ ...fields, relay_id: params.relay_id ?? this.relay });
      return { params, reason: 'confirmed' };
    } finally {
      clearTimeout(attempt.timer);
      this.attempt = null;
    }
  }

  /** An attempt in flight ends at the deadline (or at shutdown's), not at the client's timeout. */
  private armAttempt(attempt: Attempt): void {
    clearTimeout(attempt.timer);
    const until = Math.min(attempt.deadline, this.closeBy);
    if (until === Infinity) return;
    attempt.timer = setTimeout(() => attempt.ctl.abort(), Math.max(0, until - Date.now()));
  }
}
