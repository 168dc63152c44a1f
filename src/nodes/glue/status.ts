import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { AccessDeniedError, isWebTapiError } from '../../client';
import type { ConnectionState, WebTapiErrorCode } from '../../client';

/** The runtime texts live in the catalogue of the config node every node uses (key `<type>.status`). */
const CATALOGUE = 'webtapi-config';
const PACKAGE_ROOT = path.join(__dirname, '..', '..', '..');
const MODULE = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;
const KEY = `${CATALOGUE}.status.`;
const NS = `${MODULE}/${CATALOGUE}:${KEY}`;

let english: Record<string, string> | undefined;

/** The English text of `key`, read from the en-US catalogue as built beside the nodes: for a runtime without the catalogue. */
function englishText(key: string): string {
  if (!english) {
    try {
      const file = path.join(__dirname, '..', 'locales', 'en-US', `${CATALOGUE}.json`);
      english = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { status: Record<string, string> }>)[CATALOGUE].status;
    } catch {
      english = {};
    }
  }
  return english[key] ?? key;
}

// An i18next lookup costs more than the rest of a request: each key is looked up once per runtime
// (node types are registered, with their catalogues, before any node runs), with its placeholders
// left in, split once at them, and filled in per message.
const templates = new WeakMap<NodeAPI, Map<string, string[]>>();

/** The text of `key` as [literal, name, literal, name, ..., literal]. */
function template(RED: NodeAPI, key: string, names: string[]): string[] {
  let known = templates.get(RED);
  if (!known) templates.set(RED, (known = new Map()));
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  let out: string;
  try {
    out = RED._(NS + key, Object.fromEntries(names.map((n) => [n, `__${n}__`])));
  } catch {
    out = '';
  }
  if (!out || out === NS + key || out === KEY + key) out = englishText(key);
  const parts = String(out).split(/__(\w+?)__/);
  known.set(key, parts);
  return parts;
}

function fill(parts: string[], vars: Record<string, string | number>): string {
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i];
    out += (Object.hasOwn(vars, name) ? String(vars[name]) : `__${name}__`) + parts[i + 1];
  }
  return out;
}

/** Runtime texts from the webtapi-config catalogue, in English if the runtime has not loaded it. */
export function text(RED: NodeAPI, key: string, vars: Record<string, string | number> = {}): string {
  return fill(template(RED, key, Object.keys(vars)), vars);
}

/** Status shapes every node uses: blue while working, green when done, red ring on failure. */
export class StatusView {
  /** The busy text this view shows now, if busy is what it showed last. */
  private busyShown: string | undefined;

  constructor(private readonly RED: NodeAPI, private readonly node: Node) {}

  /**
   * Several messages in flight each ask for the same busy status: each status is an event through
   * the runtime to every status node and editor, so an unchanged one is not sent again.
   */
  busy(action: string): void {
    const shown = text(this.RED, 'requesting', { action });
    if (shown === this.busyShown) return;
    this.node.status({ fill: 'blue', shape: 'dot', text: shown });
    this.busyShown = shown;
  }
  ok(label: string): void {
    this.show({ fill: 'green', shape: 'dot', text: label });
  }
  failed(err: unknown): void {
    if (err instanceof AccessDeniedError && err.lockedForMs > 0) this.locked(err.lockedForMs);
    else this.show({ fill: 'red', shape: 'ring', text: shortReason(err) });
  }
  /** A node with a PIN refuses every message for this long (see pin.ts). */
  locked(ms: number): void {
    this.show({ fill: 'red', shape: 'dot', text: text(this.RED, 'locked', { seconds: Math.ceil(ms / 1000) }) });
  }
  connection(state: ConnectionState): void {
    switch (state.state) {
      case 'idle':
        this.show({});
        break;
      case 'logging-in':
        this.show({ fill: 'yellow', shape: 'ring', text: text(this.RED, 'loggingIn') });
        break;
      case 'connected':
        this.show({ fill: 'green', shape: 'ring', text: text(this.RED, 'connected') });
        break;
      case 'login-failed':
        this.show({ fill: 'red', shape: 'ring', text: text(this.RED, 'loginFailed', { seconds: Math.ceil(state.retryInMs / 1000) }) });
        break;
      case 'unreachable':
        this.show({ fill: 'red', shape: 'ring', text: text(this.RED, 'unreachable') });
        break;
      case 'bad-answer':
        this.show({ fill: 'red', shape: 'ring', text: text(this.RED, 'badAnswer', { code: codeWords(state.code) }) });
        break;
      case 'misconfigured':
        this.show({ fill: 'red', shape: 'ring', text: text(this.RED, 'misconfigured') });
        break;
    }
  }
  clear(): void {
    this.show({});
  }
  private show(status: NodeStatus): void {
    this.busyShown = undefined;
    this.node.status(status);
  }
}

/** A few words for a status line: the code without its prefix, lower case. */
export function shortReason(err: unknown): string {
  return isWebTapiError(err) ? codeWords(err.code) : 'error';
}

function codeWords(code: WebTapiErrorCode): string {
  return code.slice('WEBTAPI_'.length).toLowerCase().replace(/_/g, ' ');
}
