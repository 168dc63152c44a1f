import type { Node, NodeMessage } from 'node-red';
import { isWebTapiError, mayHaveReachedPbx } from '../../client';
import type { Execution, RequestOptions, WebTapiClient } from '../../client';
import { origin } from './origin';

/** A control character or a line break (C0, DEL, NEL, U+2028/2029): shown as `?`. */
function isBreak(c: number): boolean {
  return c < 0x20 || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/**
 * A value as the line shows it: as it is, or in double quotes (`"` and `\` escaped, control
 * characters and line breaks as `?`) where it holds a space, a quote, a backslash, `=` or one of
 * those, so that no value can make the line read like other fields or lines. A scan of char
 * codes: this runs for every call, and most values need nothing.
 */
export function auditValue(value: string): string {
  let i = 0;
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3d || c === 0x5c || (c >= 0x7f && isBreak(c))) break;
  }
  if (i === value.length && i > 0) return value;
  let out = '"' + value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + value[i];
    else if (isBreak(c)) out += '?';
    else out += value[i];
  }
  return out + '"';
}

/**
 * One info line per call or relay action, so an installer can answer "who opened the door at
 * 02:13": node id, action, origin (`by=`, see origin.ts) and target, never a secret.
 */
export function audit(node: Node, action: string, params: Record<string, string>, result?: string, by = 'flow'): void {
  let line = `audit node=${auditValue(node.id)} action=${auditValue(action)} by=${auditValue(by)}`;
  for (const k in params) {
    if (Object.hasOwn(params, k)) line += ` ${auditValue(k)}=${auditValue(params[k])}`;
  }
  if (result) line += ` result=${auditValue(result)}`;
  // node.log() builds an Error only to have a stack for reporting a broken node object; capturing
  // that stack would cost more than the request itself. Without it the line is the same.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    node.log(line);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Runs a side effect asked for by `msg` and writes its audit line: on success as audit(), on a
 * failure with `result=<code>`.
 */
export async function audited(
  node: Node,
  msg: NodeMessage,
  client: WebTapiClient,
  action: string,
  params: Record<string, unknown>,
  options?: RequestOptions,
): Promise<Execution> {
  let ex: Execution;
  try {
    ex = await client.execute(action, params, options);
  } catch (err) {
    // A failure that may have reached the PBX belongs in the trail too: a door that opened although
    // its answer was lost must not be missing from "who opened the door at 02:13".
    if (isWebTapiError(err) && mayHaveReachedPbx(err.code)) audit(node, action, given(params), err.code, origin(msg));
    throw err;
  }
  audit(node, action, ex.params, undefined, origin(msg));
  return ex;
}

/** The parameters as the client sent them (they passed its checks if the PBX was reached). */
function given(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string' || typeof v === 'number' || v === true) {
      const text = String(v).trim();
      if (text !== '') out[k] = text.slice(0, 64);
    }
  }
  return out;
}
