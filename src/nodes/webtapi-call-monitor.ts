import type { Node, NodeAPI } from 'node-red';
import { CallTracker, InvalidInputError, validators, type CallEventKind, type MonitorEvent } from '../client';
import type { NodeDefinition } from './glue/properties';
import { registerType } from './glue/register';
import { catalogueText } from './glue/status';
import { PollHealth, commaList, followPoll, intervalMs, quoted, refused, viaText, watchServer } from './glue/watch';

const KINDS: readonly CallEventKind[] = ['ring', 'call', 'connect', 'disconnect'];

interface Settings {
  extensions: string[];
  events: ReadonlySet<string>;
  interval: number;
}

function settings(def: NodeDefinition): Settings {
  const events = commaList(def.events).map((e) => e.toLowerCase());
  return {
    extensions: commaList(def.extensions),
    events: new Set(events.length ? events : KINDS),
    interval: intervalMs(def.interval, 1000),
  };
}

function problem(s: Settings): InvalidInputError | null {
  const badExtensions = refused(s.extensions, (e) => validators.extension('call_list_all', 'extensions', e));
  if (badExtensions.length > 0)
    return new InvalidInputError(
      'call_list_all',
      'extensions',
      `extensions ${quoted(badExtensions)} not valid; nothing is watched until the node is fixed`,
    );
  const badEvents = [...s.events].filter((e) => !(KINDS as readonly string[]).includes(e));
  if (badEvents.length > 0)
    return new InvalidInputError('call_list_all', 'events', `events ${quoted(badEvents)} unknown; use ${KINDS.join(', ')}`);
  return null;
}

/** The status text for `count` calls in progress, from this node's catalogue. */
function statusText(RED: NodeAPI, count: number): string {
  return catalogueText(RED, 'webtapi-call-monitor', count === 1 ? 'one' : 'calls', { count });
}

/** One call-monitor node: events derived from the shared poll's call groups. */
function callMonitor(RED: NodeAPI, node: Node, def: NodeDefinition): void {
  const s = settings(def);
  const server = watchServer(RED, node, def, problem(s));
  if (!server) return;
  const tracker = new CallTracker({ extensions: s.extensions });
  const health = new PollHealth(node);
  /** The status shown after the last poll that worked; '' while polling fails. */
  let shown = '';

  const show = (): void => {
    const count = tracker.inProgress;
    const status = viaText(RED, server, statusText(RED, count), s.interval);
    if (status === shown) return;
    shown = status;
    node.status({ fill: 'green', shape: count > 0 ? 'dot' : 'ring', text: status });
  };
  const send = (e: MonitorEvent): void => {
    if (e.event === 'gap' || s.events.has(e.event)) node.send({ topic: e.event, payload: e });
  };

  followPoll(
    node,
    server,
    {
      calls: true,
      intervalMs: s.interval,
      onResult: (r) => {
        health.ok();
        for (const e of tracker.updateGroups(r.callGroups(), r.at)) send(e);
        show();
      },
      onError: (err, at) => {
        tracker.failed(at);
        health.failed(err);
        shown = '';
      },
    },
    () => {
      if (shown) show();
    },
  );
}

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-call-monitor', function (this: Node, def: NodeDefinition) {
    callMonitor(RED, this, def);
  });
};
