import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { InvalidInputError, messageOf } from '../../client';
import type { WebTapiConfigNode } from '../config/config-api';
import type { Subscription } from '../services/poll/poller';
import { configNode, MissingConfigError } from './input';
import type { NodeDefinition } from './properties';
import { shortReason, text } from './status';

/** The nodes that follow the shared poll (status-watch, call-monitor): their common set-up. */

/** A comma list property: trimmed, empty entries dropped. */
export function commaList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The entries a validator refuses. The poll is shared by every node on a server: one bad entry in
 * it would fail the poll of all of them, so a node with one does not register at all.
 */
export function refused(items: string[], check: (item: string) => unknown): string[] {
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

/** At most five entries, quoted and cut, for a message. */
export function quoted(items: string[]): string {
  const first = items
    .slice(0, 5)
    .map((i) => JSON.stringify(i.length > 20 ? `${i.slice(0, 20)}…` : i))
    .join(', ');
  return items.length > 5 ? `${first} and ${items.length - 5} more` : first;
}

/** The interval property in ms: `fallback` when unset, never below 250. */
export function intervalMs(value: unknown, fallback: number): number {
  return Math.max(250, Number(value) || fallback);
}

type Done = (err?: Error) => void;

/**
 * The config node, or null after putting the node in a state that explains why it does nothing:
 * no server, or a setting that is not valid (`problem`). Such a node ends every input with the error.
 */
export function watchServer(RED: NodeAPI, node: Node, def: NodeDefinition, problem: InvalidInputError | null): WebTapiConfigNode | null {
  const server = configNode(RED, def);
  const err = !server ? new MissingConfigError() : problem;
  if (!err) return server;
  if (server) node.error(err.message);
  node.status({ fill: 'red', shape: 'ring', text: server ? shortReason(err) : text(RED, 'noServer') });
  node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: Done) => done(err));
  return null;
}

/** Logs a polling failure once per reason and when polling works again; shows the reason as status. */
export class PollHealth {
  private failing = '';

  constructor(private readonly node: Node) {}

  ok(): void {
    if (!this.failing) return;
    this.node.log(`polling works again after ${this.failing}`);
    this.failing = '';
  }

  failed(err: unknown): void {
    const reason = shortReason(err);
    if (this.failing !== reason) this.node.warn(`polling failed: ${messageOf(err)}; retrying with back-off`);
    this.failing = reason;
    this.node.status({ fill: 'red', shape: 'ring', text: reason });
  }
}

/** The interval in seconds for a status line: 0.25, 1, 10. */
function seconds(ms: number): number {
  return Number((ms / 1000).toFixed(2));
}

/**
 * A status text (`what`) with how the node learns of changes: `push` while pushes reach the server
 * (one within the last 10 minutes), else `poll` and the interval; never push on a guess.
 */
export function viaText(RED: NodeAPI, server: WebTapiConfigNode, what: string, interval: number): string {
  return server.feed.arriving ? text(RED, 'viaPush', { what }) : text(RED, 'viaPoll', { what, seconds: seconds(interval) });
}

/**
 * Follows the server's shared poll until the node closes: an input message polls at once (and is
 * not passed on); on close the node deregisters and Node-RED waits for the poll under way.
 * `onFeedChange` runs when pushes start or stop arriving (for the status line).
 */
export function followPoll(node: Node, server: WebTapiConfigNode, sub: Subscription, onFeedChange?: () => void): void {
  server.poller.register(node, sub);
  if (onFeedChange) server.feed.watch(node, onFeedChange);
  node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: Done) => {
    server.poller.pollNow();
    done();
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    server.feed.unwatch(node);
    node.status({});
    server.poller.deregister(node, done);
  });
}
