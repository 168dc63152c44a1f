import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { WebTapiError, isWebTapiError, messageOf } from '../../client';
import type { WebTapiClient } from '../../client';
import type { WebTapiConfigNode } from '../config/config-api';
import type { NodeDefinition } from './properties';
import { StatusView, text } from './status';

export interface HandlerResult {
  payload: unknown;
  /** The WebTAPI action that carries the result (the last one, where several were needed). */
  action: string;
  params: Record<string, string>;
  /** Further message properties (contentType, filename...). */
  extra?: Record<string, unknown>;
  /** Status text on success; the action by default. */
  label?: string;
}

export interface Context {
  client: WebTapiClient;
  /** Aborted when the node closes. */
  signal: AbortSignal;
  status: StatusView;
}

export type Handler = (msg: NodeMessageInFlow, ctx: Context) => Promise<HandlerResult>;

export interface WiringOptions {
  /** Runs on close, before the node deregisters from its config node; the client stays open for it. */
  onClose?: () => Promise<void>;
  /**
   * Runs first for every message, before anything else (also without a server configuration): it
   * may take a secret off the message; throwing refuses the message with that error.
   */
  admit?: (msg: NodeMessageInFlow) => void;
}

/** The config node a node points at, or null (deleted, disabled, not deployed). */
export function configNode(RED: NodeAPI, def: NodeDefinition): WebTapiConfigNode | null {
  const id = def.server;
  if (typeof id !== 'string' || id === '') return null;
  const found = RED.nodes.getNode(id) as WebTapiConfigNode | null;
  return found && found.client ? found : null;
}

export class MissingConfigError extends WebTapiError {
  constructor() {
    super('WEBTAPI_NO_CONFIG', 'input', "no WebTAPI server configured: choose a webtapi-config node in this node's settings");
    this.name = 'MissingConfigError';
  }
}

/**
 * A message failed: red status, the code on the message, done(err) for Catch nodes. Every node's
 * failures go this way (wireInput's and the nodes with their own input handler).
 */
export function failed(view: StatusView, msg: NodeMessageInFlow, err: unknown, finish: (err?: Error) => void): void {
  view.failed(err);
  // Node-RED copies err.code into a Catch node's msg.error only since 4.1: the code also
  // travels on the message itself, for flows on Node-RED 3.1 and 4.0.
  if (isWebTapiError(err)) (msg as NodeMessageInFlow & Record<string, unknown>).webtapi = { action: err.action, code: err.code };
  finish(err instanceof Error ? err : new Error(messageOf(err)));
}

/** A handler's result on its message, sent on; green only for the last message in flight. */
function delivered(
  view: StatusView,
  msg: NodeMessageInFlow,
  out: HandlerResult,
  at: { started: number; last: boolean },
  send: (m: NodeMessage) => void,
  finish: (err?: Error) => void,
): void {
  const m = msg as NodeMessageInFlow & Record<string, unknown>;
  m.payload = out.payload;
  if (out.extra) Object.assign(m, out.extra);
  m.webtapi = { action: out.action, params: out.params, durationMs: Math.round((performance.now() - at.started) * 100) / 100 };
  if (at.last) view.ok(out.label ?? out.action);
  send(m);
  finish();
}

/** What a node's input and close handlers share. */
interface Wiring {
  readonly view: StatusView;
  readonly server: WebTapiConfigNode | null;
  /**
   * One signal for every message of the node, aborted on close (an AbortController per message
   * would cost as much as the rest of the input path). Each request in flight or waiting for a
   * slot listens to it, so there can be more than the default 10 listeners.
   */
  readonly closing: AbortController;
  closed: boolean;
  /**
   * While another message of this node is still in flight the node is still busy: green is shown
   * when the last one is done (a green between two blues would be two status events per message).
   */
  inFlight: number;
}

/**
 * The one input path every WebTAPI node shares: one done() per message, errors to Catch nodes with
 * the message, status while working, nothing sent after close, requests aborted on close.
 * Returns the config node, captured now: during a shutdown it can no longer be looked up.
 */
export function wireInput(
  RED: NodeAPI,
  node: Node,
  def: NodeDefinition,
  handler: Handler,
  options: WiringOptions = {},
): WebTapiConfigNode | null {
  const view = new StatusView(RED, node);
  const server = configNode(RED, def);
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);
  const wiring: Wiring = { view, server, closing, closed: false, inFlight: 0 };
  if (server) server.register(node, view);
  else node.status({ fill: 'red', shape: 'ring', text: text(RED, 'noServer') });
  node.on('input', (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void) => {
    receive(wiring, handler, options, msg, send, done);
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    wiring.closed = true;
    closing.abort();
    view.clear();
    const after = options.onClose ? options.onClose() : Promise.resolve();
    // Deregistering only now keeps the config node's client open for the close work.
    const finish = () => (server ? server.deregister(node, done) : done());
    after.then(finish, finish);
  });
  return server;
}

/** One message through the handler: exactly one done(), its result or failure dropped once the node is closed. */
function receive(
  w: Wiring,
  handler: Handler,
  options: WiringOptions,
  msg: NodeMessageInFlow,
  send: (m: NodeMessage) => void,
  done: (err?: Error) => void,
): void {
  const started = performance.now();
  let settled = false;
  w.inFlight++;
  const finish = (err?: Error) => {
    if (settled) return;
    settled = true;
    w.inFlight--;
    done(err);
  };
  let running: Promise<HandlerResult>;
  try {
    options.admit?.(msg);
    if (!w.server) {
      finish(new MissingConfigError());
      return;
    }
    running = handler(msg, { client: w.server.client, signal: w.closing.signal, status: w.view });
  } catch (err) {
    running = Promise.reject(err);
  }
  running
    .then(
      (out) => (w.closed ? finish() : delivered(w.view, msg, out, { started, last: w.inFlight === 1 }, send, finish)),
      (err: unknown) => (w.closed ? finish() : failed(w.view, msg, err, finish)),
    )
    .catch((err: unknown) => {
      // send() itself threw (a downstream node in the same tick): still exactly one done.
      finish(err instanceof Error ? err : new Error(messageOf(err)));
    });
}
