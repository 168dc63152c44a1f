import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { ConnectionState, InvalidInputError, TlsOptions, WebTapiClient, WebTapiError, isWebTapiError } from '../client';
import type { WebTapiConfigNode } from './shared/config-api';
import { StatusPoller } from './shared/poller';
import { StreamHub } from './shared/stream-hub';
import type { NodeDefinition } from './shared/properties';
import type { StatusView } from './shared/status';

interface Credentials {
  username?: string;
  password?: string;
}

const PASSWORD_PLACEHOLDER = '__PWRD__';
const ID = /^[A-Za-z0-9._-]{1,64}$/;
const HOLD_LIMIT_MS = 10_000;
const KINDS = new Set(['queues', 'relays', 'cameras', 'extensions']);

function number(value: unknown, fallback: number, min: number, max: number): number {
  const n = Number(value);
  return Number.isFinite(n) && value !== '' && value !== null ? Math.min(max, Math.max(min, Math.floor(n))) : fallback;
}

function tlsOptions(RED: NodeAPI, id: unknown): TlsOptions | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const tlsNode = RED.nodes.getNode(id) as (Node & { addTLSOptions?: (o: Record<string, unknown>) => void }) | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== 'function') return undefined;
  const opts: Record<string, unknown> = {};
  tlsNode.addTLSOptions(opts);
  return opts as TlsOptions;
}

/**
 * Stands in for the client of a config node whose URL cannot be used: every request fails at once
 * with WEBTAPI_INVALID_INPUT naming the URL as the problem (a closed client would say
 * WEBTAPI_CLOSED, which sends the user looking in the wrong place). It never opens a socket.
 */
class UnusableClient extends WebTapiClient {
  constructor(private readonly reason: string) {
    super({ url: 'http://127.0.0.1:9/', username: '', password: '' });
  }
  override async connect(): Promise<void> {
    throw new InvalidInputError('login', 'url', this.reason);
  }
  override async execute(action: string): Promise<never> {
    throw new InvalidInputError(typeof action === 'string' ? action.slice(0, 64) : 'request', 'url', this.reason);
  }
}

function failure(err: unknown): { ok: false; code: string; message: string } {
  if (isWebTapiError(err)) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'WEBTAPI_ERROR', message: 'unexpected error' };
}

export = (RED: NodeAPI) => {
  function WebTapiConfig(this: WebTapiConfigNode & Record<string, unknown>, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const credentials = ((this as unknown as { credentials?: Credentials }).credentials) ?? {};
    const users = new Map<Node, StatusView>();
    this.url = String(def.url || 'http://127.0.0.1:9998/webtapi/webtapi.php');
    let client: WebTapiClient;
    try {
      client = new WebTapiClient({
        url: String(this.url),
        username: credentials.username ?? '',
        password: credentials.password ?? '',
        timeoutMs: number(def.timeout, 10_000, 100, 600_000),
        concurrency: number(def.concurrency, 4, 1, 64),
        tls: tlsOptions(RED, def.tls),
      });
    } catch (err) {
      const reason = `the server URL is not valid (${String((err as Error)?.message ?? err).slice(0, 80)})`;
      this.error(`invalid WebTAPI URL: ${reason}`);
      client = new UnusableClient(reason);
    }
    const poller = new StatusPoller(client);
    (this as { client: WebTapiClient }).client = client;
    (this as { poller: StatusPoller }).poller = poller;
    const streams = new StreamHub(client, (text) => this.warn(text));
    (this as { streams: StreamHub }).streams = streams;

    client.on('state', (state: ConnectionState) => {
      for (const view of users.values()) view.connection(state);
      if (state.state === 'login-failed') this.warn(`login to the PBX failed; next attempt in ${Math.ceil(state.retryInMs / 1000)} s`);
    });

    this.register = (user: Node, view: StatusView) => {
      users.set(user, view);
      if (client.state.state !== 'idle') view.connection(client.state);
    };
    this.deregister = (user: Node) => {
      users.delete(user);
    };

    const held = new Set<Promise<unknown>>();
    this.hold = (work: Promise<unknown>) => {
      const p = work.catch(() => undefined).finally(() => held.delete(p));
      held.add(p);
    };

    this.on('close', (done: () => void) => {
      poller.close();
      void streams.close();
      users.clear();
      // Nodes closing in the same deploy may still hand over work (a relay switching back): let
      // them, then wait for it, within Node-RED's close timeout.
      setImmediate(() => {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<void>((resolve) => { timer = setTimeout(resolve, HOLD_LIMIT_MS); });
        Promise.race([Promise.allSettled([...held]), limit])
          .then(() => { clearTimeout(timer); return client.close(); })
          .then(done, done);
      });
    });
  }

  RED.nodes.registerType('webtapi-config', WebTapiConfig as never, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  } as never);

  const read = RED.auth.needsPermission('webtapi-config.read');
  const write = RED.auth.needsPermission('webtapi-config.write');

  function deployed(id: unknown): WebTapiConfigNode | null {
    if (typeof id !== 'string' || !ID.test(id)) return null;
    const node = RED.nodes.getNode(id) as (WebTapiConfigNode & { type?: string }) | null;
    return node && node.type === 'webtapi-config' && node.client ? node : null;
  }

  // Logs in with what the dialog holds now, before or after a deploy.
  RED.httpAdmin.post('/metasec-webtapi/test-connection', write, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const url = typeof body.url === 'string' ? body.url.trim() : '';
    const username = typeof body.username === 'string' ? body.username : '';
    let password = typeof body.password === 'string' ? body.password : '';
    if (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > 2048) {
      res.json({ ok: false, code: 'WEBTAPI_INVALID_INPUT', message: 'the URL must start with http:// or https://' });
      return;
    }
    if (password === PASSWORD_PLACEHOLDER) {
      // The stored password only ever goes to the URL it was stored for.
      const stored = typeof body.id === 'string' && ID.test(body.id) ? (RED.nodes.getCredentials(body.id) as Credentials | undefined) : undefined;
      const node = deployed(body.id);
      if (!stored || !node || String((node as unknown as { url: string }).url) !== url) {
        res.json({ ok: false, code: 'WEBTAPI_INVALID_INPUT', message: 'enter the password again to test a new or changed server' });
        return;
      }
      password = stored.password ?? '';
    }
    let probe: WebTapiClient;
    try {
      probe = new WebTapiClient({
        url,
        username,
        password,
        timeoutMs: number(body.timeout, 10_000, 100, 60_000),
        concurrency: 1,
        tls: tlsOptions(RED, body.tls),
        loginBackoffMs: 0,
      });
    } catch {
      res.json({ ok: false, code: 'WEBTAPI_INVALID_INPUT', message: 'the URL is not valid' });
      return;
    }
    probe.connect()
      .then(() => res.json({ ok: true }), (err: unknown) => res.json(failure(err)))
      .catch(() => undefined)
      .finally(() => { void probe.close(); });
  });

  // Pick lists for the node dialogs, from the deployed config node's session.
  RED.httpAdmin.get('/metasec-webtapi/:id/options/:kind', read, (req: Request, res: Response) => {
    const node = deployed(String(req.params.id));
    const kind = String(req.params.kind);
    if (!KINDS.has(kind)) {
      res.status(400).json({ code: 'WEBTAPI_INVALID_INPUT', message: 'unknown list' });
      return;
    }
    if (!node) {
      res.status(404).json({ code: 'WEBTAPI_NOT_DEPLOYED', message: 'deploy the server configuration first' });
      return;
    }
    options(node.client, kind)
      .then((items) => res.json({ items }), (err: unknown) => res.status(502).json(failure(err)))
      .catch(() => undefined);
  });

  RED.httpAdmin.get('/metasec-webtapi/:id/cameras/:camera/snapshot', read, (req: Request, res: Response) => {
    const node = deployed(String(req.params.id));
    if (!node) {
      res.status(404).json({ code: 'WEBTAPI_NOT_DEPLOYED', message: 'deploy the server configuration first' });
      return;
    }
    node.client.cameras.picture(String(req.params.camera))
      .then((pic) => {
        res.set('Content-Type', pic.contentType);
        res.set('Cache-Control', 'no-store');
        res.send(pic.data);
      }, (err: unknown) => res.status(err instanceof WebTapiError && err.code === 'WEBTAPI_INVALID_INPUT' ? 400 : 502).json(failure(err)))
      .catch(() => undefined);
  });
};

async function options(client: WebTapiClient, kind: string): Promise<Array<{ value: string; label: string }>> {
  switch (kind) {
    case 'queues':
      // Member and caller lines of a `queue show` answer carry no queue name.
      return (await client.queues.list()).flatMap((q) => (q.shape !== 'concise' && q.name ? [{ value: q.name, label: q.name }] : []));
    case 'relays':
      return (await client.relays.list()).map((r) => ({ value: r.id, label: r.name ? `${r.id} (${r.name})` : r.id }));
    case 'cameras':
      return (await client.cameras.list()).map((c) => ({ value: c.id, label: c.name ? `${c.id} (${c.name})` : c.id }));
    default:
      return Object.entries(await client.calls.statusGet()).map(([ext, s]) => ({ value: ext, label: `${ext} (${s.state})` }));
  }
}
