import type { Node, NodeAPI } from 'node-red';
import { ConnectionState, WebTapiClient } from '../client';
import { registerAdminRoutes } from './config/admin-routes';
import { clientOptions, Credentials } from './config/client-options';
import type { WebTapiConfigNode } from './config/config-api';
import { joinEventEndpoint } from './config/event-endpoint';
import { StatusPoller } from './services/poll/poller';
import { PushFeed } from './services/poll/push-feed';
import { StreamHub } from './services/streams/hub';
import type { NodeDefinition } from './glue/properties';
import { registerType } from './glue/register';
import { closeBudgetMs, RelayHub } from './services/relays/hub';
import type { StatusView } from './glue/status';

const DEFAULT_URL = 'http://127.0.0.1:9998/webtapi/webtapi.php';

/**
 * The config node's pushes, and its event endpoint when it has a token; stop() takes the endpoint away
 * (its path then answers 404 as any unknown one).
 */
function startPushes(RED: NodeAPI, node: Node, poller: StatusPoller, token: unknown): { feed: PushFeed; stop(): void } {
  const feed = new PushFeed(poller);
  const leave = joinEventEndpoint(RED, node, token, (push) => feed.accept(push));
  feed.endpoint = leave !== null;
  return {
    feed,
    stop: () => {
      leave?.();
      feed.close();
    },
  };
}

/**
 * The nodes using a config node (10-mqtt.js's register/deregister) and those whose close work (a
 * relay switching back) is not done yet: `allGone()` resolves once neither is left.
 */
function userRegistry(client: WebTapiClient, relays: RelayHub) {
  const users = new Map<Node, StatusView>();
  const releasing = new Set<Node>();
  let usersGone: (() => void) | null = null;
  return {
    views: () => users.values(),
    register(user: Node, view: StatusView): void {
      users.set(user, view);
      if (client.state.state !== 'idle') view.connection(client.state);
    },
    deregister(user: Node, done?: () => void): void {
      users.delete(user);
      releasing.add(user);
      relays.release(user, () => {
        releasing.delete(user);
        if (users.size === 0 && releasing.size === 0) usersGone?.();
        done?.();
      });
    },
    allGone: (): Promise<void> =>
      users.size + releasing.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            usersGone = resolve;
          }),
  };
}

/**
 * Closes a config node's parts. Users closing in the same deploy deregister once their close work is
 * done, and pending switch-backs run: the client stays open until then, within Node-RED's close
 * timeout, whatever order Node-RED closes the nodes in.
 */
function closeConfig(
  RED: NodeAPI,
  parts: { pushes: { stop(): void }; poller: StatusPoller; streams: StreamHub; relays: RelayHub; client: WebTapiClient },
  users: ReturnType<typeof userRegistry>,
): Promise<void> {
  parts.pushes.stop();
  parts.poller.close();
  // Camera streams end now: their users are closing in this deploy too.
  void parts.streams.close();
  const allGone = users.allGone();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, closeBudgetMs(RED) + 500);
  });
  return Promise.race([Promise.all([allGone, parts.relays.close()]), limit]).then(() => {
    clearTimeout(timer);
    return parts.client.close();
  });
}

export = (RED: NodeAPI) => {
  registerType<WebTapiConfigNode & { url: string }>(
    RED,
    'webtapi-config',
    function (def: NodeDefinition) {
      const credentials = (this as unknown as { credentials?: Credentials & { eventToken?: string } }).credentials ?? {};
      this.url = String(def.url || DEFAULT_URL);
      const client = new WebTapiClient(
        clientOptions(RED, { ...def, url: this.url, username: credentials.username, password: credentials.password }),
      );
      const connection = client.state;
      if (connection.state === 'misconfigured') this.error(`invalid WebTAPI URL: ${connection.reason}`);
      const poller = new StatusPoller(client);
      (this as { client: WebTapiClient }).client = client;
      (this as { poller: StatusPoller }).poller = poller;
      const pushes = startPushes(RED, this, poller, credentials.eventToken);
      (this as { feed: PushFeed }).feed = pushes.feed;
      const streams = new StreamHub(client, (text) => this.warn(text));
      (this as { streams: StreamHub }).streams = streams;
      const relays = new RelayHub(RED, this, client, this.url);
      (this as { relays: RelayHub }).relays = relays;

      const users = userRegistry(client, relays);
      let closing = false;
      client.on('state', (state: ConnectionState) => {
        if (closing) return;
        for (const view of users.views()) view.connection(state);
        if (state.state === 'login-failed') this.warn(`login to the PBX failed; next attempt in ${Math.ceil(state.retryInMs / 1000)} s`);
      });
      this.register = users.register;
      this.deregister = users.deregister;

      this.on('close', (done: () => void) => {
        closing = true;
        closeConfig(RED, { pushes, poller, streams, relays, client }, users).then(
          () => done(),
          () => done(),
        );
      });
    },
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
        eventToken: { type: 'password' },
      },
    },
  );

  registerAdminRoutes(RED);
};
