import type { Node, NodeAPI } from 'node-red';
import type { ConnectionState, WebTapiError } from '../../client';

const NS = 'node-red-contrib-metasec-webtapi/webtapi-config:webtapi-config.status.';

const FALLBACK: Record<string, string> = {
  connected: 'connected',
  loggingIn: 'logging in',
  loginFailed: 'login failed, retrying in __seconds__ s',
  unreachable: 'unreachable',
  requesting: '__action__…',
  ok: '__action__',
  error: '__code__',
  watching: 'watching __count__',
  pulse: 'pulse __ms__ ms',
  switchingBack: 'switching back, attempt __attempt__',
  noServer: 'no server',
};

// An i18next lookup costs more than the rest of a request (the benchmark's profile): each key is
// looked up once per runtime (node types are registered, with their catalogues, before any node
// runs), with its placeholders left in, split once at them, and filled here.
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
  if (!out || out === NS + key || out === 'webtapi-config.status.' + key) out = FALLBACK[key] ?? key;
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

/** Runtime texts from the webtapi-config locale, with English if the catalogue is not loaded. */
export function text(RED: NodeAPI, key: string, vars: Record<string, string | number> = {}): string {
  return fill(template(RED, key, Object.keys(vars)), vars);
}

/** Status shapes every node uses: blue while working, green when done, red ring on failure. */
export class StatusView {
  constructor(private readonly RED: NodeAPI, private readonly node: Node) {}

  busy(action: string): void {
    this.node.status({ fill: 'blue', shape: 'dot', text: text(this.RED, 'requesting', { action }) });
  }
  ok(label: string): void {
    this.node.status({ fill: 'green', shape: 'dot', text: label });
  }
  failed(err: unknown): void {
    this.node.status({ fill: 'red', shape: 'ring', text: shortReason(err) });
  }
  connection(state: ConnectionState): void {
    switch (state.state) {
      case 'idle':
        this.node.status({});
        break;
      case 'logging-in':
        this.node.status({ fill: 'yellow', shape: 'ring', text: text(this.RED, 'loggingIn') });
        break;
      case 'connected':
        this.node.status({ fill: 'green', shape: 'ring', text: text(this.RED, 'connected') });
        break;
      case 'login-failed':
        this.node.status({ fill: 'red', shape: 'ring', text: text(this.RED, 'loginFailed', { seconds: Math.ceil(state.retryInMs / 1000) }) });
        break;
      case 'unreachable':
        this.node.status({ fill: 'red', shape: 'ring', text: text(this.RED, 'unreachable') });
        break;
    }
  }
  clear(): void {
    this.node.status({});
  }
}

/** A few words for a status line: the code without its prefix, lower case. */
export function shortReason(err: unknown): string {
  const code = (err as WebTapiError)?.code;
  if (typeof code === 'string' && code.startsWith('WEBTAPI_')) return code.slice(8).toLowerCase().replace(/_/g, ' ');
  return 'error';
}
