import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError } from '../client';
import { audit } from './shared/audit';
import { wireInput } from './shared/input';
import { NodeDefinition, resolveFields } from './shared/properties';

const FIELDS = ['operation', 'queue', 'agent', 'chan', 'position'] as const;

const ACTION: Record<string, string> = {
  login: 'agent_login',
  logout: 'agent_logout',
  agents: 'agent_list',
  calls: 'q_call_list',
  waiting: 'q_waiting_list',
  queues: 'q_list',
  shift: 'q_shift_caller',
  remove: 'q_caller_del',
};

export = (RED: NodeAPI) => {
  function WebTapiQueueAgent(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'operation');
      // A dashboard switch sends true/false.
      const operation = f.operation === true ? 'login' : f.operation === false ? 'logout' : String(f.operation || 'login').trim().toLowerCase();
      const action = ACTION[operation];
      if (!action) throw new InvalidInputError('queue', 'operation', `"${operation.slice(0, 20)}" is not one of ${Object.keys(ACTION).join(', ')}`);
      let params: Record<string, unknown>;
      switch (operation) {
        case 'login':
        case 'logout': params = { q_name: f.queue, src: f.agent }; break;
        case 'queues': params = {}; break;
        case 'shift': params = { q_name: f.queue, chan: f.chan, position: f.position }; break;
        case 'remove': params = { q_name: f.queue, chan: f.chan }; break;
        default: params = { q_name: f.queue };
      }
      status.busy(action);
      const ex = await client.execute(action, params, { signal });
      if (ex.result === true) audit(node, action, ex.params);
      return { payload: ex.result, action, params: ex.params, label: `${ex.params.q_name ?? ''} ${operation}`.trim() };
    });
  }
  RED.nodes.registerType('webtapi-queue-agent', WebTapiQueueAgent as never);
};
