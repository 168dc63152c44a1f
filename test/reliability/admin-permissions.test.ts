/*
 * The package's admin routes in a Node-RED with adminAuth (the node-red command in a child
 * process): each uses the stored credentials at the PBX, so each needs `webtapi-config.write`. A
 * user with `read` only (or no login) gets nothing from the PBX; an admin gets the lists and the
 * camera preview.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { nodeRedDir, startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { childConfig } from '../child-flow';
import { until } from '../../scripts/lib/until';

const ADMIN = { username: 'admin', password: 'admin-pass-7c1e' };
const VIEWER = { username: 'viewer', password: 'viewer-pass-2b9d' };
const PBX_PASSWORD = 'pbx-pass-perm-5a';

// Node-RED's own hashing library, as `node-red admin hash-pw` uses it.
const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedDir(), path.dirname(nodeRedDir())] })) as {
  hashSync(p: string, rounds: number): string;
};

interface Reply {
  status: number;
  type: string;
  text: string;
  headers: http.IncomingHttpHeaders;
}

describe('reliability: admin routes need webtapi-config.write (Node-RED with adminAuth)', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let nr: ChildNodeRed;
  const tokens: Record<string, string> = {};

  function call(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: nr.port, method, path: url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('latin1'),
            headers: res.headers,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const as = (who: string | null): Record<string, string> => (who ? { authorization: `Bearer ${tokens[who]}` } : {});

  async function login(user: { username: string; password: string }, scope: string): Promise<string> {
    const form = new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, ...user }).toString();
    const res = await call('POST', '/auth/token', form, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 200, res.text);
    return (JSON.parse(res.text) as { access_token: string }).access_token;
  }

  before(async () => {
    sim = await startSimulator({ port: 0, users: { 1005: PBX_PASSWORD } });
    nr = await startChild({
      timeoutMs: 45_000,
      extra: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: ADMIN.username, password: bcrypt.hashSync(ADMIN.password, 8), permissions: '*' },
            { username: VIEWER.username, password: bcrypt.hashSync(VIEWER.password, 8), permissions: 'read' },
          ],
        },
      },
    });
    tokens.admin = await login(ADMIN, '*');
    tokens.viewer = await login(VIEWER, 'read');
    const flows = [childConfig(sim.url, { username: '1005', password: PBX_PASSWORD })];
    const deployed = await call('POST', '/flows', JSON.stringify(flows), {
      ...as('admin'),
      'content-type': 'application/json',
      'Node-RED-Deployment-Type': 'full',
    });
    assert.ok(deployed.status === 200 || deployed.status === 204, deployed.text);
    await until(async () => (await call('GET', '/metasec-webtapi/cfg/options/relays', undefined, as('admin'))).status === 200, {
      what: 'the config node deployed',
      timeoutMs: 10_000,
    });
  });
  after(async () => {
    if (nr) {
      await nr.stop(20_000);
      fs.rmSync(nr.userDir, { recursive: true, force: true });
    }
    await sim?.close();
  });

  const routes = (): Array<[string, string, string?]> => [
    ['GET', '/metasec-webtapi/cfg/options/relays'],
    ['GET', '/metasec-webtapi/cfg/options/extensions'],
    ['GET', '/metasec-webtapi/cfg/cameras/44/snapshot'],
    ['POST', '/metasec-webtapi/test-connection', JSON.stringify({ id: 'cfg', url: sim.url, username: '1005', password: '__PWRD__' })],
  ];

  it('a user with read permission only, or no login: 401, and nothing reaches the PBX', async () => {
    const before = sim.stats.requests;
    for (const who of ['viewer', null]) {
      for (const [method, url, body] of routes()) {
        const res = await call(method, url, body, { ...as(who), 'content-type': 'application/json' });
        assert.equal(res.status, 401, `${who ?? 'anonymous'} ${method} ${url}: HTTP ${res.status} ${res.text.slice(0, 100)}`);
      }
    }
    // The viewer may read what Node-RED gives to readers: the routes above are not that.
    assert.equal((await call('GET', '/flows', undefined, as('viewer'))).status, 200);
    assert.equal(sim.stats.requests, before, 'no request reached the PBX');
  });

  it('an admin gets the pick lists and the camera preview (JPEG, nosniff, sandboxed), and tests the connection', async () => {
    const relays = await call('GET', '/metasec-webtapi/cfg/options/relays', undefined, as('admin'));
    assert.equal(relays.status, 200);
    assert.deepEqual((JSON.parse(relays.text) as { items: unknown[] }).items[0], { value: '17', label: '17 (Door)' });
    const pic = await call('GET', '/metasec-webtapi/cfg/cameras/44/snapshot', undefined, as('admin'));
    assert.equal(pic.status, 200);
    assert.match(pic.type, /^image\/jpeg/);
    assert.equal(pic.text.charCodeAt(0), 0xff);
    assert.equal(pic.headers['x-content-type-options'], 'nosniff');
    assert.equal(pic.headers['content-security-policy'], 'sandbox');
    const test = await call(
      'POST',
      '/metasec-webtapi/test-connection',
      JSON.stringify({ id: 'cfg', url: sim.url, username: '1005', password: '__PWRD__' }),
      { ...as('admin'), 'content-type': 'application/json' },
    );
    assert.deepEqual(JSON.parse(test.text), { ok: true });
  });
});
