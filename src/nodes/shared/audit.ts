import type { Node } from 'node-red';
import type { Execution, RequestOptions, WebTapiClient } from '../../client';

/**
 * One info line per call or relay action, so an installer can answer "who opened the door at
 * 02:13": node id, action and target, never a secret.
 */
export function audit(node: Node, action: string, params: Record<string, string>, result?: string): void {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ') + (result ? ` result=${result}` : '');
  // node.log() builds an Error only to have a stack for reporting a broken node object; capturing
  // that stack was the largest cost of a request in the benchmark's profile. The line is the same.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    node.log(`audit node=${node.id} action=${action}${parts ? ' ' + parts : ''}`);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Failures after which the PBX may have carried out the action (or saw it and refused it): they
 * belong in the trail too. A door that opened although its answer was lost must not be missing
 * from "who opened the door at 02:13". Failures before anything was sent (bad input, no login,
 * no connection) are not actions.
 */
const REACHED_PBX = new Set(['WEBTAPI_OUTCOME_UNKNOWN', 'WEBTAPI_ACTION_FAILED', 'WEBTAPI_HTTP_STATUS', 'WEBTAPI_BAD_RESPONSE', 'WEBTAPI_RESPONSE_TOO_LARGE', 'WEBTAPI_TIMEOUT']);

/** Runs a side effect and writes its audit line: on success as audit(), on a failure with `result=<code>`. */
export async function audited(node: Node, client: WebTapiClient, action: string, params: Record<string, unknown>, options?: RequestOptions): Promise<Execution> {
  let ex: Execution;
  try {
    ex = await client.execute(action, params, options);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REACHED_PBX.has(code)) audit(node, action, given(params), code);
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
