import type { NodeAPI } from 'node-red';
import { ACTIONS, BinaryAnswer, InvalidInputError, validateActionName } from '../client';
import { audited } from './glue/audit';
import { wireInput } from './glue/input';
import { NodeDefinition, isPlainObject, isSet, resolveField } from './glue/properties';
import { registerType } from './glue/register';

function nodeParams(def: NodeDefinition): Record<string, unknown> {
  const raw = def.params;
  if (raw === undefined || raw === null || raw === '') return {};
  if (isPlainObject(raw)) return raw;
  try {
    const parsed: unknown = JSON.parse(String(raw));
    if (isPlainObject(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new InvalidInputError('request', 'params', "the node's parameters are not a JSON object");
}

/**
 * The parameters: each one given in the dialog (isSet) is fixed; the others come from a plain
 * object msg.payload (its `action` key excepted: that is the action field).
 */
function requestParams(fixed: Record<string, unknown>, payload: unknown): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  // defineProperty: a `__proto__` key (JSON.parse makes it an own key) stays a key and is refused
  // as a parameter name, instead of becoming the prototype of the parameters.
  const put = (k: string, v: unknown) =>
    Object.defineProperty(params, k, { value: v, enumerable: true, writable: true, configurable: true });
  const given = (k: string) => Object.prototype.hasOwnProperty.call(fixed, k) && isSet(fixed[k]);
  if (isPlainObject(payload)) {
    for (const [k, v] of Object.entries(payload)) {
      if (k !== 'action' && !given(k)) put(k, v);
    }
  }
  for (const [k, v] of Object.entries(fixed)) {
    if (isSet(v) || !Object.prototype.hasOwnProperty.call(params, k)) put(k, v);
  }
  return params;
}

export = (RED: NodeAPI) => {
  registerType(RED, 'webtapi-request', function (def: NodeDefinition) {
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const action = validateActionName(await resolveField(RED, node, def, msg, 'action', true));
      const params = requestParams(nodeParams(def), (msg as { payload?: unknown }).payload);
      status.busy(action);
      const spec = ACTIONS.get(action);
      // An action this package does not know is counted as a side effect (see unknownAction).
      const ex =
        !spec || spec.sideEffect
          ? await audited(node, msg, client, action, params, { signal })
          : await client.execute(action, params, { signal });
      const result = ex.result;
      if (result && typeof result === 'object' && Buffer.isBuffer((result as BinaryAnswer).data)) {
        const bin = result as BinaryAnswer;
        return { payload: bin.data, action, params: ex.params, extra: { contentType: bin.contentType } };
      }
      return { payload: result, action, params: ex.params };
    });
  });
};
