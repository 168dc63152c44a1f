import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { InvalidInputError, validators, type ExtensionState, type ListItem } from '../client';
import type { PollResult } from './shared/poller';
import { configNode, MissingConfigError } from './shared/input';
import type { NodeDefinition } from './shared/properties';
import { shortReason, text } from './shared/status';

function list(value: unknown): string[] {
  return String(value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The entries a validator refuses. The poll is shared by every watch node on a server: one bad
 * entry in it would fail the poll of all of them, so a node with one is not subscribed at all.
 */
function refused(items: string[], check: (item: string) => unknown): string[] {
  return items.filter((item) => {
    if (item === '__proto__') return true;
    try {
      check(item);
      return false;
    } catch {
      return true;
    }
  });
}

function shown(items: string[]): string {
  const text = items.slice(0, 5).map((i) => JSON.stringify(i.length > 20 ? `${i.slice(0, 20)}…` : i)).join(', ');
  return items.length > 5 ? `${text} and ${items.length - 5} more` : text;
}

export = (RED: NodeAPI) => {
  function WebTapiStatusWatch(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    const server = configNode(RED, def);
    const watched = list(def.extensions);
    const extensions = watched.length ? watched : null;
    const relays = list(def.watchRelays);
    const watchCalls = def.watchCalls === true || def.watchCalls === 'true';
    const emitInitial = def.emitInitial !== false && def.emitInitial !== 'false';
    const interval = Math.max(250, Number(def.interval) || 2000);
    const states = new Map<string, ExtensionState>();
    const relayStates = new Map<string, number>();
    let calls: Map<string, ListItem> | null = null;
    let failing = '';
    let lastStatus = '';

    if (!server) {
      node.status({ fill: 'red', shape: 'ring', text: text(RED, 'noServer') });
      node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => done(new MissingConfigError()));
      return;
    }

    const badExtensions = refused(watched, (e) => validators.extension('call_status_get', 'filter', e));
    const badRelays = refused(relays, (r) => validators.relayId('relay_status_get', 'relay_id', r));
    if (badExtensions.length > 0 || badRelays.length > 0) {
      const what = [
        badExtensions.length ? `extensions ${shown(badExtensions)}` : '',
        badRelays.length ? `relays ${shown(badRelays)}` : '',
      ].filter(Boolean).join(' and ');
      const err = new InvalidInputError('call_status_get', badExtensions.length ? 'extensions' : 'watchRelays', `${what} not valid; nothing is watched until the node is fixed`);
      node.error(err.message);
      node.status({ fill: 'red', shape: 'ring', text: shortReason(err) });
      node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => done(err));
      return;
    }

    const onResult = (r: PollResult) => {
      if (failing) {
        node.log(`polling works again after ${failing}`);
        failing = '';
      }
      for (const ext of extensions ?? Object.keys(r.states)) {
        const s = r.states[ext];
        if (!s) continue;
        const old = states.get(ext);
        states.set(ext, s);
        if (old === undefined) {
          if (emitInitial) node.send({ topic: ext, payload: s.state, code: s.code });
        } else if (old.code !== s.code) {
          node.send({ topic: ext, payload: s.state, code: s.code, previous: old.state });
        }
      }
      if (watchCalls && r.calls) {
        // A line the PBX gave in an unknown shape is still a call: keyed by the line itself.
        const now = new Map(r.calls.map((c) => [c.channel ?? c.raw, c]));
        if (calls) {
          for (const [chan, c] of now) if (!calls.has(chan)) node.send({ topic: `call/${chan}`, payload: 'started', call: c });
          for (const [chan, c] of calls) if (!now.has(chan)) node.send({ topic: `call/${chan}`, payload: 'ended', call: c });
        }
        calls = now;
      }
      if (r.relays) {
        for (const id of relays) {
          const v = r.relays[id];
          if (v === undefined) continue;
          const old = relayStates.get(id);
          relayStates.set(id, v);
          if (old === undefined ? emitInitial : old !== v) {
            node.send(old === undefined ? { topic: `relay/${id}`, payload: v } : { topic: `relay/${id}`, payload: v, previous: old });
          }
        }
      }
      // Only on change: every status reaches every open editor.
      const shown = text(RED, 'watching', { count: extensions ? extensions.length : states.size });
      if (shown !== lastStatus) {
        lastStatus = shown;
        node.status({ fill: 'green', shape: 'dot', text: shown });
      }
    };

    const onError = (err: unknown) => {
      const reason = shortReason(err);
      if (failing !== reason) node.warn(`polling failed: ${(err as Error)?.message ?? reason}; retrying with back-off`);
      failing = reason;
      lastStatus = '';
      node.status({ fill: 'red', shape: 'ring', text: reason });
    };

    const unsubscribe = server.poller.subscribe({ extensions, intervalMs: interval, watchCalls, relays, onResult, onError });

    node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: () => void) => {
      server.poller.pollNow();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      unsubscribe();
      node.status({});
      done();
    });
  }
  RED.nodes.registerType('webtapi-status-watch', WebTapiStatusWatch as never);
};
