import type { NodeAPI } from 'node-red';
import { audited } from './glue/audit';
import { choice } from './glue/choice';
import { wireInput } from './glue/input';
import { NodeDefinition, resolveFields } from './glue/properties';
import { registerType } from './glue/register';

const FIELDS = ['mode', 'src', 'dst', 'stations', 'break', 'chan'] as const;
const MODES = ['call', 'prio', 'conference', 'pickup'] as const;

export = (RED: NodeAPI) => {
  registerType(RED, 'webtapi-call', function (def: NodeDefinition) {
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'dst');
      const mode = choice(f.mode, 'call', 'mode', MODES, 'call');
      let action: string;
      let params: Record<string, unknown>;
      switch (mode) {
        case 'call':
          action = 'call';
          params = { src: f.src, dst: f.dst };
          break;
        case 'prio':
          action = 'call_prio';
          params = { dst: f.dst };
          break;
        // The client's flag check refuses what is neither true nor false instead of reading it as false.
        case 'conference':
          action = 'call_create_conf';
          params = { stations: f.stations, break: f.break };
          break;
        case 'pickup':
          action = 'call_pick';
          params = { chan: f.chan, dst: f.dst };
          break;
      }
      status.busy(action);
      const ex = await audited(node, msg, client, action, params, { signal });
      return { payload: true, action, params: ex.params, label: `${action} ${ex.params.dst ?? ex.params.stations ?? ''}`.trim() };
    });
  });
};
