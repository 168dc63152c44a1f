// Session ids: 32 lowercase hex characters, valid until idle for sessionIdleMs.
import { randomBytes } from 'node:crypto';

export class Sessions {
  private readonly live = new Map<string, { user: string; lastUse: number }>();

  constructor(private readonly idleMs: number) {}

  create(user: string): string {
    const sid = randomBytes(16).toString('hex');
    this.live.set(sid, { user, lastUse: Date.now() });
    return sid;
  }

  /** The session's user, refreshing its idle timer; undefined when unknown or expired. */
  use(sid: string | null): string | undefined {
    if (!sid) return undefined;
    const s = this.live.get(sid);
    if (!s) return undefined;
    const now = Date.now();
    if (now - s.lastUse >= this.idleMs) {
      this.live.delete(sid);
      return undefined;
    }
    s.lastUse = now;
    return s.user;
  }

  /** The currently valid session ids (a snapshot). */
  valid(): ReadonlySet<string> {
    const now = Date.now();
    for (const [sid, s] of this.live) if (now - s.lastUse >= this.idleMs) this.live.delete(sid);
    return new Set(this.live.keys());
  }

  expireAll(): void {
    this.live.clear();
  }
}
