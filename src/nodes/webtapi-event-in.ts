import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError } from '../client';
import type { Push } from './services/poll/push-feed';
import type { NodeDefinition } from './glue/properties';
import { registerType } from './glue/register';
import { text } from './glue/status';
import { commaList, quoted, watchServer } from './glue/watch';

/** An event word as the endpoint accepts it. */
const EVENT_WORD = /^[a-z0-9_-]{1,32}$/;

function problem(events: string[]): InvalidInputError | null {
  const bad = events.filter((e) => !EVENT_WORD.test(e));
  return bad.length === 0
    ? null
    : new InvalidInputError('event', 'events', `events ${quoted(bad)} are not event words (a-z, 0-9, _ and -)`);
}

function message(push: Push): Record<string, unknown> {
  return {
    topic: push.event,
    payload: { event: push.event, ...push.fields, receivedAt: new Date(push.at).toISOString() },
    webtapi: { remote: push.remote },
  };
}

/** One webtapi-event-in node: a message per push to its server's event endpoint whose event it wants. */
function eventIn(RED: NodeAPI, node: Node, def: NodeDefinition): void {
  const events = commaList(def.events);
  const server = watchServer(RED, node, def, problem(events));
  if (!server) return;
  const wanted = new Set(events);
  const feed = server.feed;
  if (feed.endpoint) {
    node.status({ fill: 'green', shape: 'ring', text: text(RED, 'listening') });
  } else {
    node.status({ fill: 'red', shape: 'ring', text: text(RED, 'noEndpoint') });
    node.warn('the server configuration serves no event endpoint (no event token, or its token was refused): no pushes arrive');
  }
  feed.subscribe(node, (push) => {
    if (wanted.size === 0 || wanted.has(push.event)) node.send(message(push));
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    feed.unsubscribe(node);
    node.status({});
    done();
  });
}

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-event-in', function (this: Node, def: NodeDefinition) {
    eventIn(RED, this, def);
  });
};
