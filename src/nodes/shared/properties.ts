import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { InvalidInputError } from '../../client';

export type NodeDefinition = Record<string, unknown> & { id: string; name?: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) return false;
  // A Function node builds objects in its own sandbox, with another Object.prototype: compare
  // shapes, not identities.
  const proto = Object.getPrototypeOf(value);
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

/** A value that says something: not undefined, null or an empty text. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * TypedInput types whose text in the dialog is the value itself. Any other type (msg, flow,
 * global, env, jsonata, json, ...) names where the value is: the dialog has decided, whatever the
 * text.
 */
const LITERAL_TYPES = new Set(['str', 'num', 'bool']);

function typeOf(def: NodeDefinition, property: string): string {
  const given = def[`${property}Type`];
  return typeof given === 'string' && given !== '' ? given : 'str';
}

/**
 * Whether the dialog decides a field (the one rule; nodes/help/en-US/field-sources.html says it
 * to users). Empty are: nothing (undefined, null), an empty text (a text box, a literal
 * str/num/bool TypedInput, a select's "(from the message)" option) and false (an unchecked
 * checkbox: a checkbox cannot say "not set"). Anything else is set, 0 included (a pulse of 0 ms in
 * the dialog means "no pulse", fixed). A TypedInput of a non-literal type is the dialog's choice
 * of where to read the value: always set. A parameter in webtapi-request's params is set when
 * isSet() (its JSON can hold false as a value).
 */
export function setInDialog(def: NodeDefinition, property: string): boolean {
  const value = def[property];
  if (isSet(value) && value !== false) return true;
  return !LITERAL_TYPES.has(typeOf(def, property));
}

/**
 * A node property evaluated through its TypedInput type (`<property>Type`, plain string when
 * missing): the value itself when at hand (a literal type), else a promise.
 */
function nodeProperty(RED: NodeAPI, node: Node, def: NodeDefinition, field: string, msg: NodeMessage): unknown {
  const value = def[field];
  const type = typeOf(def, field);
  if (type === 'str') return value ?? '';
  // A property that cannot be evaluated (bad JSON, a JSONata syntax error) is the flow's input
  // being wrong: a WEBTAPI_INVALID_INPUT a Catch node can switch on, not a bare SyntaxError.
  const invalid = (err: unknown) => new InvalidInputError('input', paramName(field), `the node property is not a valid ${type.slice(0, 20)} (${String((err as Error)?.message ?? err).slice(0, 80)})`);
  if (type === 'num' || type === 'bool') return RED.util.evaluateNodeProperty(String(value ?? ''), type, node, msg);
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(String(value ?? ''), type, node, msg, (err: Error | null, result: unknown) => {
        if (err) reject(invalid(err));
        else resolve(result);
      });
    } catch (err) {
      reject(invalid(err));
    }
  });
}

/** The field's name as an error names the parameter (bounded: a field name can come from a flow). */
function paramName(field: string): string {
  return field.length > 32 ? field.slice(0, 32) : field;
}

/**
 * The value of field F for this message. Set in the dialog (setInDialog): the node property
 * (named F unless `propertyName` says otherwise), through its TypedInput; the message cannot
 * change it. Empty in the dialog: `msg.payload.F` (payload a plain object), then `msg.F`, then,
 * for the primary field only, a scalar `msg.payload`, else the empty property as it is. A promise
 * only where a TypedInput other than a literal must be evaluated: most messages resolve their
 * fields without an await.
 */
export function resolveField(
  RED: NodeAPI, node: Node, def: NodeDefinition, msg: NodeMessage, field: string, primary = false, propertyName = field,
): unknown {
  if (setInDialog(def, propertyName)) return nodeProperty(RED, node, def, propertyName, msg);
  const payload = (msg as { payload?: unknown }).payload;
  if (isPlainObject(payload) && isSet(payload[field])) return fromMessage(field, payload[field]);
  const fromMsg = (msg as Record<string, unknown>)[field];
  if (isSet(fromMsg)) return fromMessage(field, fromMsg);
  if (primary && (typeof payload === 'string' || typeof payload === 'number' || typeof payload === 'boolean') && payload !== '') {
    return payload;
  }
  return def[propertyName] ?? '';
}

/** Resolves several fields at once; `primary` names the node's one primary field. */
export async function resolveFields<K extends string>(
  RED: NodeAPI, node: Node, def: NodeDefinition, msg: NodeMessage, fields: readonly K[], primary?: K,
  properties: Partial<Record<K, string>> = {},
): Promise<Record<K, unknown>> {
  const out = {} as Record<K, unknown>;
  // In order, one at a time; an await only where a value is not at hand.
  for (const f of fields) {
    const value = resolveField(RED, node, def, msg, f, f === primary, properties[f] ?? f);
    out[f] = isThenable(value) ? await value : value;
  }
  return out;
}

/**
 * A value from the message as it is. A thenable is refused: awaiting it (as the property path
 * does) would let a message hang its node forever, or run foreign code.
 */
function fromMessage(field: string, value: unknown): unknown {
  let thenable: boolean;
  try {
    thenable = isThenable(value);
  } catch {
    thenable = true; // a Proxy whose traps throw: as unusable
  }
  if (thenable) throw new InvalidInputError('input', paramName(field), 'a promise is not a value');
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export { isPlainObject };
