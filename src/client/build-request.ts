import type { ActionSpec } from './actions';
import { InvalidInputError } from './errors';
import type { Exchange } from './transport';
import type { Params, RequestOptions } from './types';
import { passThrough } from './validate';

/**
 * From an action and its parameters to what the transport sends: parameters checked against the
 * action table and encoded, the session id in front, and how the answer is to be read.
 */

/** Validates and stringifies the parameters of an action; unknown ones pass through checked. */
export function buildParams(spec: ActionSpec, params: Params): Record<string, string> {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new InvalidInputError(spec.name, 'parameters', 'expected an object of parameters');
  }
  const out: Record<string, string> = {};
  for (const [key, p] of Object.entries(spec.params)) {
    // Own properties only: a `__proto__` key in parsed JSON must not supply a parameter unseen.
    const value = Object.hasOwn(params, key) ? params[key] : undefined;
    if (value === undefined || value === null || value === '') {
      if (p.required) throw new InvalidInputError(spec.name, key, 'missing');
      continue;
    }
    const text = p.validate(spec.name, key, value);
    if (text !== '') out[key] = text;
  }
  for (const [key, value] of Object.entries(params)) {
    if (Object.hasOwn(spec.params, key) || value === undefined || value === null) continue;
    out[key] = passThrough(spec.name, key, value);
  }
  return out;
}

/** `action=NAME&key=value...`, URL-encoded; the session id is put in front per request. */
export function encodeParams(action: string, params: Record<string, string>): string {
  let query = `action=${encodeURIComponent(action)}`;
  for (const key in params) query += `&${encodeURIComponent(key)}=${encodeURIComponent(params[key])}`;
  return query;
}

/** How long a stream excerpt is read, and the deadline that leaves room for it. */
function streamTiming(options: RequestOptions, defaultStreamMs: number): { streamMs: number; timeoutMs: number } {
  const streamMs = options.streamMs ?? defaultStreamMs;
  return { streamMs, timeoutMs: Math.max(options.timeoutMs ?? 0, streamMs + 5_000) };
}

/** One request of `spec` with session `sid`; `query` is encodeParams()'s. */
export function actionExchange(spec: ActionSpec, sid: string, query: string, options: RequestOptions, defaultStreamMs: number): Exchange {
  const stream = spec.answer === 'stream' ? streamTiming(options, defaultStreamMs) : undefined;
  return {
    action: spec.name,
    method: 'GET',
    query: `SID=${encodeURIComponent(sid)}&${query}`,
    binary: spec.answer === 'binary' || spec.answer === 'stream' || spec.answer === 'auto',
    streamMs: stream?.streamMs,
    sideEffect: spec.sideEffect,
    signal: options.signal,
    timeoutMs: stream ? stream.timeoutMs : options.timeoutMs,
  };
}

/** The opening of an endless answer (a camera stream): a read, its deadline covering the headers. */
export function openingExchange(action: string, sid: string, query: string, options: RequestOptions): Exchange {
  return {
    action,
    method: 'GET',
    query: `SID=${encodeURIComponent(sid)}&${query}`,
    binary: true,
    sideEffect: false,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
}
