// Replay: answer the read-only actions of a webtapi-probe capture with the captured bytes, so flows
// can be built against a copy of a real PBX. Everything else stays the simulator's own.
import { Capture, CaptureEntry, USER_PLACEHOLDER, isReadOnly, readCapture, replaceToken } from '../probe/capture';
import type { Answer } from './types';

function key(action: string, params: Iterable<[string, string]>): string {
  return JSON.stringify([action, [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

const hidden = (k: string): boolean => k.toUpperCase() === 'SID' || k === 'action';

export class Replay {
  private readonly entries = new Map<string, CaptureEntry>();

  constructor(capture: unknown) {
    const c: Capture = readCapture(capture);
    for (const e of c.entries) {
      // An entry without a body to serve (a failed read, a picture captured without --media) is not replayed.
      if (
        !isReadOnly(e.action) ||
        e.status === undefined ||
        (e.text === undefined && e.base64 === undefined && e.status >= 200 && e.status < 300)
      )
        continue;
      this.entries.set(key(e.action, Object.entries(e.params)), e);
    }
  }

  /** How many actions are replayed. */
  get size(): number {
    return this.entries.size;
  }

  /** The captured answer to this request, with `<user>` as the session's user; null when none was captured. */
  answer(action: string, params: ReadonlyMap<string, string>, user: string): Answer | null {
    const own = [...params].filter(([k]) => !hidden(k)).map(([k, v]) => [k, replaceToken(v, user, USER_PLACEHOLDER)] as [string, string]);
    const e = this.entries.get(key(action, own));
    if (!e || e.status === undefined) return null;
    const body =
      e.text !== undefined ? Buffer.from(e.text.split(USER_PLACEHOLDER).join(user), 'utf8') : Buffer.from(e.base64 ?? '', 'base64');
    return { kind: 'raw', status: e.status, type: e.contentType ?? 'text/html', body };
  }
}
