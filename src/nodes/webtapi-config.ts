import type { Node, NodeAPI } from 'node-red';
import { ConnectionState, WebTapiClient } from '../client';
import { registerAdminRoutes } from './shared/admin-routes';
import { clientOptions, Credentials } from './shared/client-options';
import type { WebTapiConfigNode } from './shared/config-api';
import { StatusPoller } from './shared/poller';
import { StreamHub } from './shared/stream-hub';
import type { NodeDefinition } from './shared/properties';
import { registerType } from './shared/register';
import type { StatusView } from './shared/status';

/** How long a closing config node waits for its users' close work (within Node-RED's 15 s close timeout). */
const CLOSE_WAIT_MS = 10_000;
const DEFAULT_URL = 'http://127.0.0.1:9998/webtapi/webtapi.php';

export = (RED: NodeAPI) => {
  registerType<WebTapiConfigNode & { url: string }>(RED, 'webtapi-config', function (def: NodeDefinition) {
    const credentials = ((this as unknown as { credentials?: Credentials }).credentials) ?? {};
    this.url = String(def.url || DEFAULT_URL);
    const client = new WebTapiClient(clientOptions(RED, { ...def, url: this.url, username: credentials.username, password: credentials.password }));
    const connection = client.state;
    if (connection.state === 'misconfigured') this.error(`invalid WebTAPI URL: ${connection.reason}`);
    const poller = new StatusPoller(client);
    (this as { client: WebTapiClient }).client = client;
    (this as { poller: StatusPoller }).poller = poller;
    const streams = new StreamHub(client, (text) => this.warn(text));
    (this as { streams: StreamHub }).streams = streams;

    const users = new Map<Node, StatusView>();
    const held = new Set<Promise<unknown>>();
    let closing = false;
    let usersGone: (() => void) | null = null;

    client.on('state', (state: ConnectionState) => {
      if (closing) return;
      for (const view of users.values()) view.connection(state);
      if (state.state === 'login-failed') this.warn(`login to the PBX failed; next attempt in ${Math.ceil(state.retryInMs / 1000)} s`);
    });

    this.register = (user: Node, view: StatusView) => {
      users.set(user, view);
      if (client.state.state !== 'idle') view.connection(client.state);
    };
    this.deregister = (user: Node, done?: () => void) => {
      users.delete(user);
      if (users.size === 0) usersGone?.();
      done?.();
    };
    this.hold = (work: Promise<unknown>) => {
      const p = work.catch(() => undefined).finally(() => held.delete(p));
      held.add(p);
    };

    this.on('close', (done: () => void) => {
      closing = true;
      poller.close();
      // Camera streams end now: their users are closing in this deploy too.
      void streams.close();
      // Users closing in the same deploy deregister once their close work is done (a relay
      // switching back): the client stays open until then, within CLOSE_WAIT_MS.
      const allGone = users.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => { usersGone = resolve; });
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); });
      // setImmediate: a user closing in the same tick may still hand over work with hold().
      setImmediate(() => {
        Promise.race([Promise.all([allGone, Promise.allSettled([...held])]), limit])
          .then(() => { clearTimeout(timer); return client.close(); })
          .then(() => done(), () => done());
      });
    });
  }, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });

  registerAdminRoutes(RED);
};
