import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError, channelChanges, validators, valueChanges, type ChannelListItem, type ExtensionState } from '../client';
import type { PollResult } from './services/poll/poller';
import { registerType } from './glue/register';
import type { NodeDefinition } from './glue/properties';
import { text } from './glue/status';
import { PollHealth, commaList, followPoll, intervalMs, quoted, refused, viaText, watchServer } from './glue/watch';

interface Settings {
  /** null: every extension. */
  extensions: string[] | null;
  relays: string[];
  watchCalls: boolean;
  emitInitial: boolean;
  interval: number;
}

function settings(def: NodeDefinition): Settings {
  const watched = commaList(def.extensions);
  return {
    extensions: watched.length ? watched : null,
    relays: commaList(def.watchRelays),
    watchCalls: def.watchCalls === true || def.watchCalls === 'true',
    emitInitial: def.emitInitial !== false && def.emitInitial !== 'false',
    interval: intervalMs(def.interval, 2000),
  };
}

/** Extensions or relay ids the client would refuse, as one error; null when all are fine. */
function problem(s: Settings): InvalidInputError | null {
  const badExtensions = refused(s.extensions ?? [], (e) => validators.extension('call_status_get', 'filter', e));
  const badRelays = refused(s.relays, (r) => validators.relayId('relay_status_get', 'relay_id', r));
  if (badExtensions.length === 0 && badRelays.length === 0) return null;
  const what = [badExtensions.length ? `extensions ${quoted(badExtensions)}` : '', badRelays.length ? `relays ${quoted(badRelays)}` : '']
    .filter(Boolean)
    .join(' and ');
  return new InvalidInputError(
    'call_status_get',
    badExtensions.length ? 'extensions' : 'watchRelays',
    `${what} not valid; nothing is watched until the node is fixed`,
  );
}

/** What the node remembers between polls: the last values, to tell changes. */
class Watched {
  states = new Map<string, ExtensionState>();
  relays = new Map<string, number>();
  calls: Map<string, ChannelListItem> | null = null;
  status = '';
}

/** The messages one poll result gives, and the values to remember. */
function messages(s: Settings, seen: Watched, r: PollResult): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (r.states) {
    const { changes, next } = valueChanges(seen.states, r.states, s.extensions ?? Object.keys(r.states), {
      initial: s.emitInitial,
      same: (a, b) => a.code === b.code,
    });
    seen.states = next;
    for (const c of changes) {
      out.push(
        c.previous
          ? { topic: c.key, payload: c.value.state, code: c.value.code, previous: c.previous.state }
          : { topic: c.key, payload: c.value.state, code: c.value.code },
      );
    }
  }
  if (s.watchCalls && r.calls) {
    const { started, ended, next } = channelChanges(seen.calls, r.calls);
    seen.calls = next;
    for (const c of started) out.push({ topic: `call/${c.channel ?? c.raw}`, payload: 'started', call: c });
    for (const c of ended) out.push({ topic: `call/${c.channel ?? c.raw}`, payload: 'ended', call: c });
  }
  if (r.relays) {
    const { changes, next } = valueChanges(seen.relays, r.relays, s.relays, { initial: s.emitInitial });
    seen.relays = next;
    for (const c of changes)
      out.push(
        c.previous === undefined
          ? { topic: `relay/${c.key}`, payload: c.value }
          : { topic: `relay/${c.key}`, payload: c.value, previous: c.previous },
      );
  }
  return out;
}

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-status-watch', function (this: Node, def: NodeDefinition) {
    const node = this;
    const s = settings(def);
    const server = watchServer(RED, node, def, problem(s));
    if (!server) return;
    const seen = new Watched();
    const health = new PollHealth(node);
    const show = (): void => {
      // Only on change: every status reaches every open editor.
      const status = viaText(
        RED,
        server,
        text(RED, 'watching', { count: s.extensions ? s.extensions.length : seen.states.size }),
        s.interval,
      );
      if (status === seen.status) return;
      seen.status = status;
      node.status({ fill: 'green', shape: 'dot', text: status });
    };

    followPoll(
      node,
      server,
      {
        states: s.extensions,
        calls: s.watchCalls,
        relays: s.relays,
        intervalMs: s.interval,
        onResult: (r) => {
          health.ok();
          for (const m of messages(s, seen, r)) node.send(m);
          show();
        },
        onError: (err) => {
          health.failed(err);
          seen.status = '';
        },
      },
      () => {
        if (seen.status) show();
      },
    );
  });
};
