import type { Node } from 'node-red';
import { isWebTapiError, mayHaveReachedPbx } from '../../client';
import type { Execution, RequestOptions, WebTapiClient } from '../../client';

/**
 * One info line per call or relay action, so an installer can answer "who opened the door at
 * 02:13": node id, action and target, never a secret.
 */
export function audit(node: Node, action: string, params: Record<string, string>, result?: string): void {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ') + (result ? ` result=${result}` : '');
  // node.log() builds an Error only to have a stack for reporting a broken node object; capturing
  // that stack would cost more than the request itself. Without it the line is the same.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    node.log(`audit node=${node.id} action=${action}${parts ? ' ' + parts : ''}`);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Runs a side effect and writes its audit line: on success as audit(), on a failure with `result=<code>`. */
export async function audited(node: Node, client: WebTapiClient, action: string, params: Record<string, unknown>, options?: RequestOptions): Promise<Execution> {
  let ex: Execution;
  try {
    ex = await client.execute(action, params, options);
  } catch (err) {
    // A failure that may have reached the PBX belongs in the trail too: a door that opened although
    // its answer was lost must not be missing from "who opened the door at 02:13".
    if (isWebTapiError(err) && mayHaveReachedPbx(err.code)) audit(node, action, given(params), err.code);
    throw err;
  }
  audit(node, action, ex.params);
  return ex;
}

/** The parameters as the client sent them (they passed its checks if the PBX was reached). */
function given(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string' || typeof v === 'number' || v === true) {
      const text = String(v).trim();
      // eslint-disable-next-line no-control-regex
      if (text !== '') out[k] = text.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 64);
    }
  }
  return out;
}
