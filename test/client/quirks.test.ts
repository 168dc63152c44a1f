/*
 * The client against a second, deliberately quirky WebTAPI implementation (not our simulator):
 * CRLF everywhere, padded answers, empty lists answered as "0", a single extension's state
 * answered as its bare code, sessions that expire and then answer "0", binary bodies served as
 * application/octet-stream. All within the formats docs/protocol.md describes.
 */
import assert from 'node:assert/strict';
import { WebTapiClient, WebTapiError } from '../../dist/client';
import { startFakeWebTapi, type FakeAnswer } from './fake-webtapi';

interface Quirky {
  url: string;
  logins: number;
  requests: string[];
  sessions: Set<string>;
  relay: number;
  close(): Promise<void>;
}

const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9,
]);

/** The quirky answer to an action of a logged-in session. */
function quirkyAnswer(state: Quirky, q: URLSearchParams): string | FakeAnswer {
  switch (q.get('action') ?? '') {
    case 'call_status_get': {
      const filter = q.get('filter');
      if (filter && !filter.includes(',')) return filter === '201' ? '0\r\n' : '8\r\n';
      return '201 : 0\r\n202\t8\r\n\r\n';
    }
    case 'call_list_all':
    case 'q_list':
    case 'relay_list':
      return '0\r\n'; // "nothing there"
    case 'relay_status_get':
      return ` ${state.relay}\r\n`;
    case 'relay_status_set':
      state.relay = Number(q.get('status'));
      return '1\r\n';
    case 'vmx_cam_get_pic':
      return { body: JPEG, type: 'application/octet-stream' };
    case 'call':
      return q.get('dst') === '999' ? ' 0 \r\n' : ' 1 \r\n';
    default:
      return '0\r\n';
  }
}

async function startQuirky(): Promise<Quirky> {
  let n = 0;
  const state: Quirky = { url: '', logins: 0, requests: [], sessions: new Set(), relay: 0, close: async () => undefined };
  const server = await startFakeWebTapi({
    login: (form) => {
      state.logins++;
      if (form.get('AUTH[user]') !== 'admin' || form.get('AUTH[pass]') !== 'pa ss&word') return '0\r\n';
      const sid = `q${++n}x${Date.now().toString(16)}`;
      state.sessions.add(sid);
      return `\r\n  ${sid}  \r\n\r\n`;
    },
    action: (q) => {
      state.requests.push(q.get('action') ?? '');
      return state.sessions.has(q.get('SID') ?? '') ? quirkyAnswer(state, q) : '0\r\n';
    },
  });
  state.url = server.url;
  state.close = server.close;
  return state;
}

describe('WebTapiClient against a quirky WebTAPI implementation', () => {
  let pbx: Quirky;
  let client: WebTapiClient;
  before(async () => {
    pbx = await startQuirky();
  });
  after(async () => {
    await pbx.close();
  });
  let logins0 = 0;
  const logins = () => pbx.logins - logins0;
  beforeEach(() => {
    logins0 = pbx.logins;
    client = new WebTapiClient({ url: pbx.url, username: 'admin', password: 'pa ss&word', freshSessionMs: 0 });
  });
  afterEach(async () => {
    await client.close();
  });

  it('logs in with a padded session id and a password that needs form encoding', async () => {
    const states = await client.calls.statusGet();
    assert.deepEqual(states, { 201: { code: 0, state: 'idle' }, 202: { code: 8, state: 'ringing' } });
    assert.equal(logins(), 1);
  });

  it("reads a single extension's bare code, 0 included, without a second login", async () => {
    assert.deepEqual(await client.calls.statusGet('202'), { 202: { code: 8, state: 'ringing' } });
    assert.deepEqual(await client.calls.statusGet('201'), { 201: { code: 0, state: 'idle' } });
    assert.equal(logins(), 1);
  });

  it('takes "0" for an empty list where a list has no parameters', async () => {
    assert.deepEqual(await client.calls.listAll(), []);
    assert.deepEqual(await client.queues.list(), []);
    assert.deepEqual(await client.relays.list(), []);
    assert.equal(logins(), 1);
  });

  it('still reports a refused action as failed, with no re-login', async () => {
    await assert.rejects(client.calls.call('100', '999'), (e: WebTapiError) => e.code === 'WEBTAPI_ACTION_FAILED');
    assert.equal(await client.calls.call('100', '101'), true);
    assert.equal(logins(), 1);
  });

  it('tells an expired session from a relay that is off', async () => {
    assert.equal(await client.relays.status('1'), 0);
    pbx.sessions.clear();
    assert.equal(await client.relays.set('1', 1), true);
    assert.equal(logins(), 2);
    pbx.sessions.clear();
    assert.equal(await client.relays.status('1'), 1);
    assert.equal(logins(), 3);
    await client.relays.set('1', 0);
    pbx.sessions.clear();
    // An expired session answers 0 like an "off" relay: the client finds out and asks again.
    pbx.relay = 1;
    assert.equal(await client.relays.status('1'), 1);
    assert.equal(logins(), 4);
  });

  it('returns binary bodies served as application/octet-stream with their sniffed type', async () => {
    const pic = await client.cameras.picture('1');
    assert.equal(pic.contentType, 'image/jpeg');
    assert.ok(pic.data.equals(JPEG));
  });
});
