/*
 * A WebTAPI server that is not our simulator, for tests that need answers our simulator never
 * gives: a POST is a login (its form goes to `login`, which answers the body), any other request
 * an action (its query goes to `action`). Port 0 on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  body: string | Buffer;
  /** Default 200. */
  status?: number;
  /** Default text/html in ISO-8859-1, as PHP sends it. */
  type?: string;
}

export interface FakeWebTapiHandlers {
  login(form: URLSearchParams): string;
  /** A string is a 200 text/html answer. */
  action(query: URLSearchParams): string | FakeAnswer;
}

export interface FakeWebTapi {
  /** The webtapi.php address. */
  url: string;
  close(): Promise<void>;
}

export async function startFakeWebTapi(handlers: FakeWebTapiHandlers): Promise<FakeWebTapi> {
  const server = http.createServer((req, res) => {
    const reply = (a: string | FakeAnswer): void => {
      const answer = typeof a === 'string' ? { body: a } : a;
      res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'text/html; charset=iso-8859-1' });
      res.end(answer.body);
    };
    if (req.method !== 'POST') {
      reply(handlers.action(new URL(req.url ?? '/', 'http://x').searchParams));
      return;
    }
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => reply(handlers.login(new URLSearchParams(body))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webtapi/webtapi.php`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
