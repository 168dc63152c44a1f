import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { LIMITS, WebTapiClient, isWebTapiError } from '../../client';
import { clientOptions, Credentials } from './client-options';
import type { WebTapiConfigNode } from './config-api';

/** The editor's password field when the stored password is left unchanged. */
const PASSWORD_PLACEHOLDER = '__PWRD__';
const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KINDS = new Set(['queues', 'relays', 'cameras', 'extensions']);
/** What the camera preview serves: pictures a browser only shows. */
const PREVIEW_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
/** The editor waits up to 2 min for a test's answer (3 × timeout + 5 s): a test gives up sooner. */
const TEST_TIMEOUT_MAX_MS = 60_000;

type Failure = { ok: false; code: string; message: string };

function failure(err: unknown): Failure {
  if (isWebTapiError(err)) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'WEBTAPI_ERROR', message: 'unexpected error' };
}

const NOT_DEPLOYED = { code: 'WEBTAPI_NOT_DEPLOYED', message: 'deploy the server configuration first' };

/** What the routes share: the runtime, the permission they need, the deployed config node of an id. */
interface Routes {
  RED: NodeAPI;
  /**
   * `webtapi-config.write` on every route: each one uses the stored credentials at the PBX (a
   * login, a list, a camera picture), which only someone who may change the config node may do.
   */
  write: ReturnType<NodeAPI['auth']['needsPermission']>;
  deployed(id: unknown): WebTapiConfigNode | null;
}

/** The admin routes of the editor dialogs: test connection, pick lists, camera preview. */
export function registerAdminRoutes(RED: NodeAPI): void {
  const routes: Routes = {
    RED,
    write: RED.auth.needsPermission('webtapi-config.write'),
    deployed(id: unknown): WebTapiConfigNode | null {
      if (typeof id !== 'string' || !NODE_ID.test(id)) return null;
      const node = RED.nodes.getNode(id) as (WebTapiConfigNode & { type?: string }) | null;
      return node && node.type === 'webtapi-config' && node.client ? node : null;
    },
  };
  registerTestConnection(routes);
  registerPickLists(routes);
  registerSnapshot(routes);
}

/** The password to test with, or null when the stored one may not be used for this URL. */
function testPassword(routes: Routes, body: Record<string, unknown>, url: string): string | null {
  const password = typeof body.password === 'string' ? body.password : '';
  if (password !== PASSWORD_PLACEHOLDER) return password;
  // The stored password only ever goes to the URL it was stored for.
  const stored =
    typeof body.id === 'string' && NODE_ID.test(body.id)
      ? (routes.RED.nodes.getCredentials(body.id) as Credentials | undefined)
      : undefined;
  const node = routes.deployed(body.id);
  if (!stored || !node || String((node as unknown as { url: string }).url) !== url) return null;
  return stored.password ?? '';
}

/** Logs in with what the dialog holds now, before or after a deploy. */
function registerTestConnection(routes: Routes): void {
  const { RED } = routes;
  RED.httpAdmin.post('/metasec-webtapi/test-connection', routes.write, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const url = typeof body.url === 'string' ? body.url.trim() : '';
    if (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > 2048) {
      res.json({ ok: false, code: 'WEBTAPI_INVALID_INPUT', message: 'the URL must start with http:// or https://' });
      return;
    }
    const password = testPassword(routes, body, url);
    if (password === null) {
      res.json({ ok: false, code: 'WEBTAPI_INVALID_INPUT', message: 'enter the password again to test a new or changed server' });
      return;
    }
    const options = clientOptions(RED, { url, username: body.username, password, timeout: body.timeout, concurrency: 1, tls: body.tls });
    const probe = new WebTapiClient({
      ...options,
      timeoutMs: Math.min(options.timeoutMs ?? LIMITS.timeoutMs.default, TEST_TIMEOUT_MAX_MS),
      loginBackoffMs: 0,
    });
    probe
      .connect()
      .then(
        () => res.json({ ok: true }),
        (err: unknown) => res.json(failure(err)),
      )
      .catch(() => undefined)
      .finally(() => {
        void probe.close();
      });
  });
}

/** Pick lists for the node dialogs, from the deployed config node's session. */
function registerPickLists(routes: Routes): void {
  routes.RED.httpAdmin.get('/metasec-webtapi/:id/options/:kind', routes.write, (req: Request, res: Response) => {
    const node = routes.deployed(String(req.params.id));
    const kind = String(req.params.kind);
    if (!KINDS.has(kind)) {
      res.status(400).json({ code: 'WEBTAPI_INVALID_INPUT', message: 'unknown list' });
      return;
    }
    if (!node) {
      res.status(404).json(NOT_DEPLOYED);
      return;
    }
    pickList(node.client, kind)
      .then(
        (items) => res.json({ items }),
        (err: unknown) => res.status(502).json(failure(err)),
      )
      .catch(() => undefined);
  });
}

/**
 * The camera preview. Served from the editor's own origin: only a picture type a browser cannot
 * run (no SVG, no HTML), never sniffed into another, and sandboxed should it be opened as a page.
 */
function registerSnapshot(routes: Routes): void {
  routes.RED.httpAdmin.get('/metasec-webtapi/:id/cameras/:camera/snapshot', routes.write, (req: Request, res: Response) => {
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Content-Security-Policy', 'sandbox');
    res.set('Cache-Control', 'no-store');
    const node = routes.deployed(String(req.params.id));
    if (!node) {
      res.status(404).json(NOT_DEPLOYED);
      return;
    }
    node.client.cameras
      .picture(String(req.params.camera))
      .then(
        (pic) => {
          const type = pic.contentType.split(';')[0].trim().toLowerCase();
          if (!PREVIEW_TYPES.has(type)) {
            res
              .status(502)
              .json({ ok: false, code: 'WEBTAPI_BAD_RESPONSE', message: 'the camera did not answer a JPEG, PNG, GIF or WebP picture' });
            return;
          }
          res.set('Content-Type', type);
          res.send(pic.data);
        },
        (err: unknown) => res.status(isWebTapiError(err) && err.code === 'WEBTAPI_INVALID_INPUT' ? 400 : 502).json(failure(err)),
      )
      .catch(() => undefined);
  });
}

/** The items of a dialog's pick list. */
async function pickList(client: WebTapiClient, kind: string): Promise<Array<{ value: string; label: string }>> {
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
