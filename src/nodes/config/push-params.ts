/**
 * What a push to the event endpoint may carry, checked as one plain function (no Node-RED, no HTTP):
 * the PBX's dialplan is generous in what it sends, but this endpoint makes a poll and messages
 * on a door's flow, so it is strict: a short list of short fields with plain names.
 */
export const PUSH_LIMITS = { bytes: 8 * 1024, fields: 32, valueChars: 256 } as const;

const KEY = /^[A-Za-z0-9_.-]{1,40}$/;
const EVENT = /^[a-z0-9_-]{1,32}$/;
/** Names that would reach an object's prototype in a flow that copies the fields. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export type PushValue = string | number | boolean;

export type PushParams = { ok: true; event: string; fields: Record<string, PushValue> } | { ok: false; reason: string };

/** A request's body as read: its media type (lower case, no parameters) and bytes. */
export interface PushBody {
  type: string;
  bytes: Buffer;
}

const refuse = (reason: string): PushParams => ({ ok: false, reason });

/** The entries of a body: form fields or a JSON object's members; a string is the reason it is refused. */
function bodyEntries(body: PushBody | null): Array<[string, unknown]> | string {
  if (!body || body.bytes.length === 0) return [];
  if (body.type === 'application/x-www-form-urlencoded') return [...new URLSearchParams(body.bytes.toString('utf8'))];
  if (body.type !== 'application/json' && !body.type.endsWith('+json')) return 'unsupported body type';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return 'broken JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'JSON body must be an object';
  return Object.entries(parsed);
}

/** Why a field's value is refused, or null. */
function badValue(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return 'field values must be text, numbers or booleans';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'bad field value';
  if (String(value).length > PUSH_LIMITS.valueChars) return 'field value too long';
  return null;
}

/**
 * The event and fields of a push from its query string (without '?') and body, or why it is
 * refused (a short reason for a 400 answer).
 */
export function pushParams(query: string, body: PushBody | null): PushParams {
  if (query.length + (body?.bytes.length ?? 0) > PUSH_LIMITS.bytes) return refuse('request too large');
  const fromBody = bodyEntries(body);
  if (typeof fromBody === 'string') return refuse(fromBody);
  const entries: Array<[string, unknown]> = [...new URLSearchParams(query), ...fromBody];
  if (entries.length > PUSH_LIMITS.fields) return refuse('too many fields');
  const fields: Record<string, PushValue> = {};
  for (const [key, raw] of entries) {
    if (!KEY.test(key) || RESERVED.has(key)) return refuse('bad field name');
    if (Object.hasOwn(fields, key)) return refuse('field given twice');
    const bad = badValue(raw);
    if (bad) return refuse(bad);
    fields[key] = raw as PushValue;
  }
  const event = fields.event;
  if (event === undefined) return refuse('event missing');
  if (typeof event !== 'string' || !EVENT.test(event)) return refuse('event must be a word of a-z, 0-9, _ and -');
  delete fields.event;
  return { ok: true, event, fields };
}

/**
 * At most `perSecond` requests per second, `perSecond` at once (a token bucket): a dialplan loop
 * or a flood cannot make the PBX be polled more, nor fill the flows with messages.
 */
export class RateLimit {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.at = now;
  }

  /** True when a request may pass now. */
  take(now: number): boolean {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
