import type { NodeAPI } from 'node-red';
import { ACTIONS } from '../client';
import { audited } from './glue/audit';
import { choice } from './glue/choice';
import { wireInput } from './glue/input';
import { NodeDefinition, resolveFields } from './glue/properties';
import { registerType } from './glue/register';

const FIELDS = ['operation', 'queue', 'agent', 'chan', 'position'] as const;

const ACTION = {
  login: 'agent_login',
  logout: 'agent_logout',
  agents: 'agent_list',
  calls: 'q_call_list',
  waiting: 'q_waiting_list',
  queues: 'q_list',
  shift: 'q_shift_caller',
  remove: 'q_caller_del',
} as const;
const OPERATIONS = Object.keys(ACTION) as Array<keyof typeof ACTION>;

export = (RED: NodeAPI) => {
  registerType(RED, 'webtapi-queue-agent', function (def: NodeDefinition) {
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'operation');
      // A dashboard switch sends true/false.
      const operation =
        f.operation === true ? 'login' : f.operation === false ? 'logout' : choice(f.operation, 'queue', 'operation', OPERATIONS, 'login');
      const action = ACTION[operation];
      let params: Record<string, unknown>;
      switch (operation) {
        case 'login':
        case 'logout':
          params = { q_name: f.queue, src: f.agent };
          break;
        case 'queues':
          params = {};
          break;
        case 'shift':
          params = { q_name: f.queue, chan: f.chan, position: f.position };
          break;
        case 'remove':
          params = { q_name: f.queue, chan: f.chan };
          break;
        default:
          params = { q_name: f.queue };
      }
      status.busy(action);
      const ex = ACTIONS.get(action)?.sideEffect
        ? await audited(node, msg, client, action, params, { signal })
        : await client.execute(action, params, { signal });
      return { payload: ex.result, action, params: ex.params, label: `${ex.params.q_name ?? ''} ${operation}`.trim() };
    });
  });
};
