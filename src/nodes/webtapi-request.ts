import type { Node, NodeAPI } from 'node-red';
import { ACTIONS, BinaryAnswer, InvalidInputError, validateActionName } from '../client';
import { audit } from './shared/audit';
import { wireInput } from './shared/input';
import { NodeDefinition, isPlainObject, resolveField } from './shared/properties';

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
  throw new InvalidInputError('request', 'params', 'the node\'s parameters are not a JSON object');
}

export = (RED: NodeAPI) => {
  function WebTapiRequest(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const action = validateActionName(await resolveField(RED, node, def, msg, 'action', true));
      const params: Record<string, unknown> = { ...nodeParams(def) };
      const payload = (msg as { payload?: unknown }).payload;
      if (isPlainObject(payload)) {
        for (const [k, v] of Object.entries(payload)) if (k !== 'action') params[k] = v;
      }
      status.busy(action);
      const ex = await client.execute(action, params, { signal });
      const spec = ACTIONS.get(action);
      if (!spec || spec.sideEffect) audit(node, action, ex.params);
      const result = ex.result;
      if (result && typeof result === 'object' && Buffer.isBuffer((result as BinaryAnswer).data)) {
        const bin = result as BinaryAnswer;
        return { payload: bin.data, action, params: ex.params, extra: { contentType: bin.contentType } };
      }
      return { payload: result, action, params: ex.params };
    });
  }
  RED.nodes.registerType('webtapi-request', WebTapiRequest as never);
};
