import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError } from '../client';
import { audit } from './shared/audit';
import { wireInput } from './shared/input';
import { NodeDefinition, resolveFields } from './shared/properties';

const FIELDS = ['mode', 'src', 'dst', 'stations', 'break', 'chan'] as const;

export = (RED: NodeAPI) => {
  function WebTapiCall(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'dst');
      const mode = String(f.mode || 'call');
      let action: string;
      let params: Record<string, unknown>;
      switch (mode) {
        case 'call': action = 'call'; params = { src: f.src, dst: f.dst }; break;
        case 'prio': action = 'call_prio'; params = { dst: f.dst }; break;
        case 'conference': action = 'call_create_conf'; params = { stations: f.stations, break: f.break === true || f.break === 'true' }; break;
        case 'pickup': action = 'call_pick'; params = { chan: f.chan, dst: f.dst }; break;
        default: throw new InvalidInputError('call', 'mode', `"${mode.slice(0, 20)}" is not call, prio, conference or pickup`);
      }
      status.busy(action);
      const ex = await client.execute(action, params, { signal });
      audit(node, action, ex.params);
      return { payload: true, action, params: ex.params, label: `${action} ${ex.params.dst ?? ex.params.stations ?? ''}`.trim() };
    });
  }
  RED.nodes.registerType('webtapi-call', WebTapiCall as never);
};
