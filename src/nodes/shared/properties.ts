import type { Node, NodeAPI, NodeMessage } from 'node-red';

export type NodeDefinition = Record<string, unknown> & { id: string; name?: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A node property evaluated through its TypedInput type (`<property>Type`, plain string when missing). */
export function evaluateProperty(RED: NodeAPI, node: Node, def: NodeDefinition, field: string, msg: NodeMessage): Promise<unknown> {
  const value = def[field];
  const type = typeof def[`${field}Type`] === 'string' && def[`${field}Type`] !== '' ? String(def[`${field}Type`]) : 'str';
  if (type === 'str') return Promise.resolve(value ?? '');
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(String(value ?? ''), type, node, msg, (err: Error | null, result: unknown) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}

/**
 * The value of field F for this message: `msg.payload.F` (payload a plain object), then `msg.F`,
 * then, for the primary field only, a scalar `msg.payload`, then the node property (named F unless
 * `property` says otherwise).
 */
export async function resolveField(
  RED: NodeAPI, node: Node, def: NodeDefinition, msg: NodeMessage, field: string, primary = false, property = field,
): Promise<unknown> {
  const payload = (msg as { payload?: unknown }).payload;
  if (isPlainObject(payload) && isSet(payload[field])) return payload[field];
  const fromMsg = (msg as Record<string, unknown>)[field];
  if (isSet(fromMsg)) return fromMsg;
  if (primary && (typeof payload === 'string' || typeof payload === 'number' || typeof payload === 'boolean') && payload !== '') {
    return payload;
  }
  return evaluateProperty(RED, node, def, property, msg);
}

/** Resolves several fields at once; `primary` names the node's one primary field. */
export async function resolveFields<K extends string>(
  RED: NodeAPI, node: Node, def: NodeDefinition, msg: NodeMessage, fields: readonly K[], primary?: K,
  properties: Partial<Record<K, string>> = {},
): Promise<Record<K, unknown>> {
  const out = {} as Record<K, unknown>;
  for (const f of fields) out[f] = await resolveField(RED, node, def, msg, f, f === primary, properties[f] ?? f);
  return out;
}

export { isPlainObject };
