import type { Node } from 'node-red';
import type { WebTapiClient } from '../../client';
import type { StatusView } from './status';
import type { StatusPoller } from './poller';
import type { RelayHub } from './relay-hub';

/** What a webtapi-config node offers the nodes that use it. */
export interface WebTapiConfigNode extends Node {
  readonly client: WebTapiClient;
  readonly poller: StatusPoller;
  /** The node's status follows the connection until it shows its own. */
  register(user: Node, view: StatusView): void;
  /** `done` when the config node has finished the user's work (a relay switching back). */
  deregister(user: Node, done?: () => void): void;
  /** One writer per relay, pending switch-backs and their journal. */
  readonly relays: RelayHub;
}
