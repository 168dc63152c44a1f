import { createHash } from 'node:crypto';
import { ACTIONS } from '../client/actions';
import { encodedForms, redact as redactFields } from '../client/secrets';

/**
 * A capture: what a PBX answered to the read-only actions `webtapi-probe` sent, saved so that the
 * simulator can replay it (`webtapi-sim --replay FILE`) and a bug report can show it. It never
 * holds the password or a session id; the user name is written `<user>` (the replaying simulator
 * puts its own user back in).
 */
export interface Capture {
  format: 'webtapi-capture';
  formatVersion: 1;
  /** The package and version that made the capture. */
  package: string;
  packageVersion: string;
  capturedAt: string;
  /** The WebTAPI endpoint without user info, query or fragment. */
  url: string;
  /** Whether whole pictures and stream excerpts are included. */
  media: boolean;
  entries: CaptureEntry[];
}

export interface CaptureEntry {
  action: string;
  /** The request's parameters, without the session id. */
  params: Record<string, string>;
  /** Absent when no HTTP answer came (see `error`). */
  status?: number;
  contentType?: string;
  /** Length of the body as received. */
  bytes?: number;
  /** A text body (UTF-8), up to MAX_TEXT bytes. */
  text?: string;
  /** The text was cut at MAX_TEXT bytes. */
  truncated?: boolean;
  /** A binary body: its sha256 and first bytes (hex); the whole body (base64) only with --media. */
  sha256?: string;
  head?: string;
  base64?: string;
  /** Why there is no answer (a timeout, a refused connection...). */
  error?: string;
  durationMs?: number;
}

export const USER_PLACEHOLDER = '<user>';
export const MAX_TEXT = 64 * 1024;
const HEAD_BYTES = 16;

/** Secrets to keep out of a capture, and the user name to replace. */
export interface Redaction {
  user: string;
  password: string;
  sids: readonly string[];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `value` where it stands alone: not inside a longer run of letters and digits. */
export function replaceToken(text: string, value: string, by: string): string {
  if (value === '') return text;
  return text.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRe(value)}(?![A-Za-z0-9])`, 'g'), by);
}

/**
 * The text with session ids and the password removed and the user name replaced by `<user>`. The
 * password in every form the client scrubs (src/client/secrets.ts: as typed, form- and URL-encoded,
 * JSON-escaped), and whatever stands in a login field (`AUTH%5Bpass%5D=...`) whatever its length.
 */
export function redact(text: string, r: Redaction): string {
  let out = redactFields(text);
  // Secrets go wherever they appear; a short one only as a token, not to wreck the data.
  const cut = (s: string, secret: string, by: string) => (secret.length >= 6 ? s.split(secret).join(by) : replaceToken(s, secret, by));
  for (const sid of r.sids) out = cut(out, sid, '<sid>');
  for (const form of encodedForms(r.password)) out = cut(out, form, '<password>');
  return replaceToken(out, r.user, USER_PLACEHOLDER);
}

/** A body is text when it is valid UTF-8 without NUL bytes and not served as an image, audio, video or stream. */
export function isText(body: Buffer, contentType: string): boolean {
  if (/^(image|audio|video|multipart)\//i.test(contentType) || body.includes(0)) return false;
  return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

/** One answer as a capture entry. */
export function answerEntry(
  action: string,
  params: Record<string, string>,
  answer: { status: number; contentType: string; body: Buffer },
  r: Redaction,
  media: boolean,
): CaptureEntry {
  const entry: CaptureEntry = {
    action,
    params: redactParams(params, r),
    status: answer.status,
    contentType: answer.contentType,
    bytes: answer.body.length,
  };
  if (isText(answer.body, answer.contentType)) {
    let body = answer.body;
    if (body.length > MAX_TEXT) {
      // Cut at a character boundary: the cut text must stay valid UTF-8.
      body = Buffer.from(
        body
          .subarray(0, MAX_TEXT)
          .toString('utf8')
          .replace(/\uFFFD$/, ''),
        'utf8',
      );
      entry.truncated = true;
    }
    entry.text = redact(body.toString('utf8'), r);
    return entry;
  }
  entry.sha256 = createHash('sha256').update(answer.body).digest('hex');
  entry.head = answer.body.subarray(0, HEAD_BYTES).toString('hex');
  if (media) entry.base64 = answer.body.toString('base64');
  return entry;
}

export function redactParams(params: Record<string, string>, r: Redaction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (k.toUpperCase() !== 'SID') out[k] = redact(v, r);
  return out;
}

/** The endpoint as written into a capture: no user info, query or fragment. */
export function publicUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Checks a parsed capture file; a TypeError says what is wrong. */
export function readCapture(json: unknown): Capture {
  const c = json as Partial<Capture> | null;
  if (!c || typeof c !== 'object' || c.format !== 'webtapi-capture')
    throw new TypeError('not a webtapi-probe capture (no "format": "webtapi-capture")');
  if (c.formatVersion !== 1) throw new TypeError(`capture format version ${String(c.formatVersion)} is not supported (1 is)`);
  if (!Array.isArray(c.entries)) throw new TypeError('the capture has no entries');
  for (const [i, e] of c.entries.entries()) {
    if (!e || typeof e.action !== 'string' || !e.params || typeof e.params !== 'object')
      throw new TypeError(`capture entry ${i} has no action or params`);
  }
  return c as Capture;
}

/** Read-only actions only: a capture never stands in for an action with a side effect. */
export function isReadOnly(action: string): boolean {
  const spec = ACTIONS.get(action);
  return spec !== undefined && !spec.sideEffect;
}
