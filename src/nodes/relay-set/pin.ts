/*
 * A node's PIN (its `code` credential): a message must carry it in `msg.code`. Wrong codes lock
 * the node out for a while. The count lives here, at module level and per node id, not in the
 * node object: a redeploy of the node (or of any other) makes a new node object and must not
 * give a guesser a fresh set of tries. A restart of Node-RED starts from zero.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AccessDeniedError } from '../../client';

/** Wrong codes within PIN_WINDOW_MS that lock the node out. */
export const PIN_TRIES = 5;
export const PIN_WINDOW_MS = 5 * 60_000;
/** How long a locked node refuses every message, the right code included. */
export const PIN_LOCK_MS = 5 * 60_000;

interface Tries {
  /** When the wrong codes of the current window came (oldest first). */
  wrong: number[];
  lockedUntil: number;
}

const byNode = new Map<string, Tries>();

/** Equal-length digests: timingSafeEqual needs equal lengths, and the PIN's length must not show in the time taken. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class PinGuard {
  private readonly pin: Buffer;

  constructor(
    private readonly nodeId: string,
    pin: string,
  ) {
    this.pin = digest(pin);
  }

  /** Milliseconds the node still refuses every message (0: not locked). */
  lockedForMs(now = Date.now()): number {
    const t = byNode.get(this.nodeId);
    return t && t.lockedUntil > now ? t.lockedUntil - now : 0;
  }

  /**
   * Returns when `given` is the PIN; otherwise throws WEBTAPI_ACCESS_DENIED. A wrong code counts
   * towards the lock-out, a missing one (undefined, null, '') does not: it guesses nothing.
   */
  check(given: unknown, action: string, now = Date.now()): void {
    const locked = this.lockedForMs(now);
    if (locked > 0) throw new AccessDeniedError(action, 'locked', locked);
    if (given === undefined || given === null || given === '') throw new AccessDeniedError(action, 'missing', 0);
    const text = typeof given === 'string' ? given : typeof given === 'number' && Number.isFinite(given) ? String(given) : null;
    if (text !== null && timingSafeEqual(digest(text), this.pin)) {
      byNode.delete(this.nodeId);
      return;
    }
    const lockedNow = this.countWrong(now);
    throw new AccessDeniedError(action, 'wrong', lockedNow ? PIN_LOCK_MS : 0);
  }

  /** Counts a wrong code; true when it locks the node out. */
  private countWrong(now: number): boolean {
    let t = byNode.get(this.nodeId);
    if (!t) byNode.set(this.nodeId, (t = { wrong: [], lockedUntil: 0 }));
    t.wrong = t.wrong.filter((at) => now - at < PIN_WINDOW_MS);
    t.wrong.push(now);
    if (t.wrong.length < PIN_TRIES) return false;
    t.wrong = [];
    t.lockedUntil = now + PIN_LOCK_MS;
    return true;
  }
}

/** What a PinGate needs of its node (a Node-RED node and its StatusView). */
export interface GateHost {
  audit(fields: Record<string, string>, result: string, by: string): void;
  warn(text: string): void;
  showLocked(ms: number): void;
  clearStatus(): void;
}

/**
 * A node's PIN at its input: takes `msg.code` off every message (it never travels further), and
 * where the node has a PIN, refuses a message without it, audited; while locked, the status counts
 * down the seconds.
 */
export class PinGate {
  private readonly guard: PinGuard | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    nodeId: string,
    pin: unknown,
    private readonly host: GateHost,
  ) {
    this.guard = typeof pin === 'string' && pin !== '' ? new PinGuard(nodeId, pin) : null;
    // A node redeployed during its lock-out shows it from the start.
    if (this.guard && this.guard.lockedForMs() > 0) this.countDown();
  }

  admit(msg: object, action: string, by: string): void {
    const m = msg as Record<string, unknown>;
    const given = m.code;
    delete m.code;
    if (!this.guard) return;
    try {
      this.guard.check(given, action);
    } catch (err) {
      const denied = err as AccessDeniedError;
      this.host.audit({ denied: denied.reason }, denied.code, by);
      if (denied.reason === 'wrong' && denied.lockedForMs > 0) {
        this.host.warn(
          `locked for ${PIN_LOCK_MS / 1000} s after ${PIN_TRIES} wrong codes within ${PIN_WINDOW_MS / 1000} s: every message is refused until then`,
        );
      }
      if (denied.lockedForMs > 0) this.countDown();
      throw err;
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The status shows the seconds left, each second, and clears when the lock-out ends. */
  private countDown(): void {
    clearTimeout(this.timer);
    const left = this.guard ? this.guard.lockedForMs() : 0;
    if (left <= 0) {
      this.timer = undefined;
      this.host.clearStatus();
      return;
    }
    this.host.showLocked(left);
    this.timer = setTimeout(() => this.countDown(), left % 1000 || 1000);
  }
}
