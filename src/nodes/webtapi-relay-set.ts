import type { Node, NodeAPI } from 'node-red';
import { audit } from './glue/audit';
import { wireInput } from './glue/input';
import { origin } from './glue/origin';
import { PinGate } from './relay-set/pin';
import { NodeDefinition, resolveFields } from './glue/properties';
import { registerType } from './glue/register';
import {
  DEFAULT_MAX_PULSE_MS,
  DEFAULT_RESTORE_TIMEOUT_MS,
  maxPulseMs,
  pulseMs,
  relayTarget,
  restoreTimeoutMs,
  withinMaxPulse,
} from './relay-set/relay';
import { StatusView } from './glue/status';

const FIELDS = ['relay', 'status', 'pulse'] as const;

/** A node property in range, or its default with a warning. */
function property(node: Node, name: string, value: number | null, fallback: number): number {
  if (value !== null) return value;
  node.warn(`${name} must be a whole number of milliseconds from 1000 to 86400000; using ${fallback}`);
  return fallback;
}

export = (RED: NodeAPI) => {
  registerType<Node<{ code?: string }>, { code?: string }>(
    RED,
    'webtapi-relay-set',
    function (given: NodeDefinition) {
      // The node property is relayStatus: the editor keeps each node's runtime status in `status`.
      // A flow written by hand with a plain `status` property still works.
      const def: NodeDefinition =
        given.relayStatus === undefined && ['string', 'number', 'boolean'].includes(typeof given.status)
          ? { ...given, relayStatus: given.status, relayStatusType: given.statusType }
          : given;
      const node = this;
      const restoreFor = property(node, 'restoreTimeout', restoreTimeoutMs(def.restoreTimeout), DEFAULT_RESTORE_TIMEOUT_MS);
      const maxPulse = property(node, 'maxPulse', maxPulseMs(def.maxPulse), DEFAULT_MAX_PULSE_MS);
      const view = new StatusView(RED, node);
      const gate = new PinGate(node.id, node.credentials?.code, {
        audit: (fields, result, by) => audit(node, 'relay_status_set', fields, result, by),
        warn: (text) => node.warn(text),
        showLocked: (ms) => view.locked(ms),
        clearStatus: () => view.clear(),
      });

      // Every switch goes through the config node's lane for the relay: one writer per relay.
      const server = wireInput(
        RED,
        node,
        def,
        async (msg, { signal, status }) => {
          const by = origin(msg);
          const f = await resolveFields(RED, node, def, msg, FIELDS, 'status', { status: 'relayStatus' });
          const pulse = pulseMs(f.pulse);
          withinMaxPulse(pulse, maxPulse);
          const target = relayTarget(f.status === '' || f.status === undefined ? 'on' : f.status);
          const hub = server!.relays;
          const lane = hub.lane(f.relay);
          const reporter = hub.reporter({ node, signal, by });
          status.busy('relay_status_set');
          const { final, params } =
            pulse > 0 ? await lane.pulse(target, pulse, restoreFor, reporter) : await lane.switchTo(target, reporter);
          return { payload: final, action: 'relay_status_set', params, label: `relay ${params.relay_id} = ${final}` };
        },
        {
          // Before all else, also without a server: msg.code never travels on, a wrong one sends nothing.
          admit: (msg) => gate.admit(msg, 'relay_status_set', origin(msg)),
          onClose: async () => gate.close(),
        },
      );
    },
    { credentials: { code: { type: 'password' } } },
  );
};
