import type { Node } from 'node-red';
import type { WebTapiClient } from '../../client';
import type { StatusView } from './status';
import type { StatusPoller } from './poller';
import type { StreamHub } from './stream-hub';

/** What a webtapi-config node offers the nodes that use it. */
export interface WebTapiConfigNode extends Node {
  readonly client: WebTapiClient;
  readonly poller: StatusPoller;
  /** Camera streams, one per camera, shared by stream nodes and snapshot history. */
  readonly streams: StreamHub;
  /** The node's status follows the connection until it shows its own. */
  register(user: Node, view: StatusView): void;
  deregister(user: Node): void;
  /** Work the client must finish before it closes (a relay switching back on shutdown). */
  hold(work: Promise<unknown>): void;
}
