import type { Node } from 'node-red';
import type { WebTapiClient } from '../../client';
import type { StatusView } from '../glue/status';
import type { StatusPoller } from '../services/poll/poller';
import type { PushFeed } from '../services/poll/push-feed';
import type { StreamHub } from '../services/streams/hub';
import type { RelayHub } from '../services/relays/hub';

/**
 * What a webtapi-config node offers the nodes that use it. The config node owns the client; a node
 * registers when it starts and deregisters when its close work is done (the mqtt node's pattern):
 * the client stays open until the last user has deregistered, so work a node finishes on close
 * (a relay switching back) still has a connection, whatever order Node-RED closes nodes in.
 */
export interface WebTapiConfigNode extends Node {
  readonly client: WebTapiClient;
  readonly poller: StatusPoller;
  /** Pushes to the config node's event endpoint: they make the poll immediate and reach event-in nodes. */
  readonly feed: PushFeed;
  /** Camera streams, one per camera, shared by stream nodes and snapshot history. */
  readonly streams: StreamHub;
  /** The node's status follows the connection until it shows its own. */
  register(user: Node, view: StatusView): void;
  /** The node no longer needs the client; `done` once the config node has finished the node's work (its relay pulses switched back). */
  deregister(user: Node, done?: () => void): void;
  /** One writer per relay, pending switch-backs and their journal. */
  readonly relays: RelayHub;
}
