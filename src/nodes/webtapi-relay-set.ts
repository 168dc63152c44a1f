import type { Node, NodeAPI } from 'node-red';
import type { Execution, WebTapiClient } from '../client';
import { audited } from './shared/audit';
import { wireInput } from './shared/input';
import { NodeDefinition, resolveFields } from './shared/properties';
import { pulseMs, relayTarget } from './shared/relay';
import { text } from './shared/status';

const FIELDS = ['relay', 'status', 'pulse'] as const;

export = (RED: NodeAPI) => {
  function WebTapiRelaySet(this: Node, given: NodeDefinition) {
    RED.nodes.createNode(this, given as never);
    // The node property is relayStatus: the editor keeps each node's runtime status in `status`.
    // A flow written by hand with a plain `status` property still works.
    const def: NodeDefinition = given.relayStatus === undefined && ['string', 'number', 'boolean'].includes(typeof given.status)
      ? { ...given, relayStatus: given.status, relayStatusType: given.statusType }
      : given;
    const node = this;
    let closing = false;
    const sleepers = new Set<() => void>();
    const running = new Set<Promise<unknown>>();

    // Waits for the pulse, or less when the node closes: the relay must not stay switched.
    const sleep = (ms: number) => new Promise<void>((resolve) => {
      const wake = () => { clearTimeout(timer); sleepers.delete(wake); resolve(); };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

    // Relay switches are not aborted on close: a half-done pulse finishes (switching back) instead.
    async function operate(client: WebTapiClient, relay: unknown, target: number, pulse: number): Promise<{ final: number; params: Record<string, string> }> {
      const back = target === 0 ? 1 : 0;
      const switchBack = async (id: string): Promise<Record<string, string>> => {
        node.status({ fill: 'blue', shape: 'ring', text: text(RED, 'pulse', { ms: pulse }) });
        if (!closing) await sleep(pulse);
        if (closing) node.warn(`relay ${id}: pulse cut short by shutdown, switching back to ${back} now`);
        try {
          return (await audited(node, client, 'relay_status_set', { relay_id: id, status: back })).params;
        } catch (err) {
          node.error(`relay ${id} may have been left at ${target}: switching back to ${back} failed (${(err as Error).message})`);
          throw err;
        }
      };
      let first: Execution;
      try {
        first = await audited(node, client, 'relay_status_set', { relay_id: relay, status: target });
      } catch (err) {
        // The first switch may have happened (its answer was lost): a pulse still ends switched
        // back, or a door opener could stay on with nobody told. Switching back is harmless if it
        // did not happen. The message still fails with the first error.
        if (pulse === 0 || (err as { code?: unknown }).code !== 'WEBTAPI_OUTCOME_UNKNOWN') throw err;
        const id = typeof relay === 'number' ? String(relay) : String(relay).trim();
        node.warn(`relay ${id}: switching to ${target} may have happened (outcome unknown); switching back to ${back} after the pulse all the same`);
        await switchBack(id);
        throw err;
      }
      if (pulse === 0) return { final: target, params: first.params };
      return { final: back, params: await switchBack(first.params.relay_id) };
    }

    const server = wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'status', { status: 'relayStatus' });
      const pulse = pulseMs(f.pulse);
      let target = relayTarget(f.status === '' || f.status === undefined ? 'on' : f.status);
      if (target === null) {
        status.busy('relay_status_get');
        const current = await client.relays.status(f.relay as string, { signal });
        target = current === 0 ? 1 : 0;
      }
      status.busy('relay_status_set');
      const work = operate(client, f.relay, target, pulse);
      running.add(work);
      work.then(() => running.delete(work), () => running.delete(work));
      const { final, params } = await work;
      return { payload: final, action: 'relay_status_set', params, label: `relay ${params.relay_id} = ${final}` };
    }, {
      onClose: async () => {
        closing = true;
        for (const wake of [...sleepers]) wake();
        const pending = Promise.allSettled([...running]);
        // The config node closes in the same deploy: it keeps its client open until this is done.
        server?.hold(pending);
        await pending;
      },
    });
  }
  RED.nodes.registerType('webtapi-relay-set', WebTapiRelaySet as never);
};
