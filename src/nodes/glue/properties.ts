import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { InvalidInputError, messageOf } from '../../client';

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
  const invalid = (err: unknown) =>
    new InvalidInputError(
      'input',
      paramName(field),
      `the node property is not a valid ${type.slice(0, 20)} (${messageOf(err).slice(0, 80)})`,
    );
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
  RED: NodeAPI,
  node: Node,
  def: NodeDefinition,
  msg: NodeMessage,
  field: string,
  primary = false,
  propertyName = field,
): unknown {
  if (setInDialog(def, propertyName)) return nodeProperty(RED, node, def, propertyName, msg);
  return fromMessageFields(def, msg, field, primary, propertyName);
}

/** Field F of a message, for a field the dialog leaves empty. */
function fromMessageFields(def: NodeDefinition, msg: NodeMessage, field: string, primary: boolean, propertyName: string): unknown {
  const payload = (msg as { payload?: unknown }).payload;
  if (isPlainObject(payload) && isSet(payload[field])) return fromMessage(field, payload[field]);
  const fromMsg = (msg as Record<string, unknown>)[field];
  if (isSet(fromMsg)) return fromMessage(field, fromMsg);
  if (primary && (typeof payload === 'string' || typeof payload === 'number' || typeof payload === 'boolean') && payload !== '') {
    return payload;
  }
  return def[propertyName] ?? '';
}

/**
 * Which fields of a node its dialog sets, worked out once per node: a node's definition does not
 * change while it runs, and each message then looks only where its fields come from.
 */
const dialogPlans = new WeakMap<NodeDefinition, WeakMap<readonly string[], boolean[]>>();

function dialogPlan(def: NodeDefinition, fields: readonly string[], properties: Partial<Record<string, string>>): boolean[] {
  let byFields = dialogPlans.get(def);
  if (!byFields) dialogPlans.set(def, (byFields = new WeakMap()));
  let plan = byFields.get(fields);
  if (!plan) byFields.set(fields, (plan = fields.map((f) => setInDialog(def, properties[f] ?? f))));
  return plan;
}

type Fields<K extends string> = Record<K, unknown>;

/**
 * Resolves several fields, in order (`primary` names the node's one primary field): the fields
 * themselves when every value is at hand, else a promise of them (an await only where a TypedInput
 * must be evaluated).
 */
export function resolveFields<K extends string>(
  RED: NodeAPI,
  node: Node,
  def: NodeDefinition,
  msg: NodeMessage,
  fields: readonly K[],
  primary?: K,
  properties: Partial<Record<K, string>> = {},
): Fields<K> | Promise<Fields<K>> {
  const plan = dialogPlan(def, fields, properties);
  const out = {} as Fields<K>;
  const one = (i: number): unknown => {
    const f = fields[i];
    const property = properties[f] ?? f;
    return plan[i] ? nodeProperty(RED, node, def, property, msg) : fromMessageFields(def, msg, f, f === primary, property);
  };
  for (let i = 0; i < fields.length; i++) {
    const value = one(i);
    if (isThenable(value)) return resolveRest(fields, out, i, value, one);
    out[fields[i]] = value;
  }
  return out;
}

/** The fields from `at` on, once the value of field `at` is a promise. */
async function resolveRest<K extends string>(
  fields: readonly K[],
  out: Fields<K>,
  at: number,
  pending: PromiseLike<unknown>,
  one: (i: number) => unknown,
): Promise<Fields<K>> {
  out[fields[at]] = await pending;
  for (let i = at + 1; i < fields.length; i++) {
    const value = one(i);
    out[fields[i]] = isThenable(value) ? await value : value;
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
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

export { isPlainObject };
