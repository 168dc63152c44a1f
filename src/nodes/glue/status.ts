import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { AccessDeniedError, isWebTapiError } from '../../client';
import type { ConnectionState, WebTapiErrorCode } from '../../client';

/** The runtime texts every node shares live in the config node's catalogue (key `<type>.status`). */
const SHARED = 'webtapi-config';
const PACKAGE_ROOT = path.join(__dirname, '..', '..', '..');
const MODULE = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;

const english = new Map<string, Record<string, string>>();

/**
 * The English text of `key` in `catalogue`, read from the en-US catalogue as built beside the nodes:
 * for a runtime without the catalogue.
 */
function englishText(catalogue: string, key: string): string {
  let texts = english.get(catalogue);
  if (!texts) {
    try {
      const file = path.join(__dirname, '..', 'locales', 'en-US', `${catalogue}.json`);
      texts = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { status: Record<string, string> }>)[catalogue].status;
    } catch {
      texts = {};
    }
    english.set(catalogue, texts);
  }
  return texts[key] ?? key;
}

// An i18next lookup costs more than the rest of a request: each key is looked up once per runtime
// (node types are registered, with their catalogues, before any node runs), with its placeholders
// left in, split once at them, and filled in per message.
const templates = new WeakMap<NodeAPI, Map<string, string[]>>();

/** The text of `key` in `catalogue` as [literal, name, literal, name, ..., literal]. */
function template(RED: NodeAPI, catalogue: string, key: string, names: string[]): string[] {
  let known = templates.get(RED);
  if (!known) templates.set(RED, (known = new Map()));
  const local = `${catalogue}.status.${key}`;
  const cached = known.get(local);
  if (cached !== undefined) return cached;
  const full = `${MODULE}/${catalogue}:${local}`;
  let out: string;
  try {
    out = RED._(full, Object.fromEntries(names.map((n) => [n, `__${n}__`])));
  } catch {
    out = '';
  }
  if (!out || out === full || out === local) out = englishText(catalogue, key);
  const parts = String(out).split(/__(\w+?)__/);
  known.set(local, parts);
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

/**
 * The one translation helper: the status text `key` of a node type's catalogue (`<type>.status.<key>`),
 * in English if the runtime has not loaded it.
 */
export function catalogueText(RED: NodeAPI, catalogue: string, key: string, vars: Record<string, string | number> = {}): string {
  return fill(template(RED, catalogue, key, Object.keys(vars)), vars);
}

/** Runtime texts from the webtapi-config catalogue, which every node shares. */
export function text(RED: NodeAPI, key: string, vars: Record<string, string | number> = {}): string {
  return catalogueText(RED, SHARED, key, vars);
}

/** Status shapes every node uses: blue while working, green when done, red ring on failure. */
export class StatusView {
  /** The busy text this view shows now, if busy is what it showed last. */
  private busyShown: string | undefined;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

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
