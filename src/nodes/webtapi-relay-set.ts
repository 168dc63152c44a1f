import type { Node, NodeAPI } from 'node-red';
import { wireInput } from './shared/input';
import { NodeDefinition, resolveFields } from './shared/properties';
import { registerType } from './shared/register';
import { DEFAULT_RESTORE_TIMEOUT_MS, pulseMs, relayTarget, restoreTimeoutMs } from './shared/relay';

const FIELDS = ['relay', 'status', 'pulse'] as const;

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-relay-set', function (given: NodeDefinition) {
    // The node property is relayStatus: the editor keeps each node's runtime status in `status`.
    // A flow written by hand with a plain `status` property still works.
    const def: NodeDefinition = given.relayStatus === undefined && ['string', 'number', 'boolean'].includes(typeof given.status)
      ? { ...given, relayStatus: given.status, relayStatusType: given.statusType }
      : given;
    const node = this;
    let restoreMs = restoreTimeoutMs(def.restoreTimeout);
    if (restoreMs === null) {
      node.warn(`restoreTimeout must be a whole number of milliseconds from 1000 to 86400000; using ${DEFAULT_RESTORE_TIMEOUT_MS}`);
      restoreMs = DEFAULT_RESTORE_TIMEOUT_MS;
    }
    const restoreFor = restoreMs;

    // Every switch goes through the config node's lane for the relay: one writer per relay.
    const server = wireInput(RED, node, def, async (msg, { signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'status', { status: 'relayStatus' });
      const pulse = pulseMs(f.pulse);
      const target = relayTarget(f.status === '' || f.status === undefined ? 'on' : f.status);
      const hub = server!.relays;
      const lane = hub.lane(f.relay);
      const by = hub.reporter({ node, signal });
      status.busy('relay_status_set');
      const { final, params } = pulse > 0 ? await lane.pulse(target, pulse, restoreFor, by) : await lane.switchTo(target, by);
      return { payload: final, action: 'relay_status_set', params, label: `relay ${params.relay_id} = ${final}` };
    });
  });
};
