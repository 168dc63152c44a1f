/*
 * http-in endpoints of the flows (example 08 serves camera frames) behind Node-RED's httpNodeAuth:
 * the real node-red command in a child process with the setting docs/security.md tells installers
 * to use; without the login a stranger gets no picture, with it the page works.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { nodeRedDir, startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { until } from '../../scripts/lib/until';

const ROOT = path.resolve(__dirname, '..', '..');
const LOGIN = { user: 'tablet', pass: 'tablet-pass-4e8a' };
const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedDir(), path.dirname(nodeRedDir())] })) as {
  hashSync(p: string, rounds: number): string;
};

function get(port: number, url: string, auth?: string): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = auth === undefined ? {} : { authorization: `Basic ${Buffer.from(auth).toString('base64')}` };
    http
      .get({ host: '127.0.0.1', port, path: url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

describe('example 08 behind httpNodeAuth (node-red in a child process)', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let nr: ChildNodeRed;

  before(async () => {
    sim = await startSimulator({ port: 0 });
    const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', '08 Camera live frames.json'), 'utf8')) as Array<
      Record<string, any>
    >;
    const cfg = nodes.find((n) => n.type === 'webtapi-config')!;
    Object.assign(cfg, { url: sim.url, credentials: { username: '1004', password: 'secret' } });
    const flows = [{ id: 'ex8-flow', type: 'tab', label: 'camera' }, ...nodes];
    nr = await startChild({ timeoutMs: 45_000, extra: { httpNodeAuth: { user: LOGIN.user, pass: bcrypt.hashSync(LOGIN.pass, 8) } } });
    await nr.deploy(flows);
  });
  after(async () => {
    if (nr) {
      await nr.stop(20_000);
      fs.rmSync(nr.userDir, { recursive: true, force: true });
    }
    await sim?.close();
  });

  it("example 08's camera frames need the httpNodeAuth login", async () => {
    // The stream runs: the picture exists, so a refusal below is the login's, not a missing frame.
    await until(async () => (await get(nr.port, '/webtapi-camera/frame.jpg', `${LOGIN.user}:${LOGIN.pass}`)).status === 200, {
      what: 'a frame',
      timeoutMs: 15_000,
    });
    for (const [who, auth] of [
      ['no login', undefined],
      ['a wrong password', `${LOGIN.user}:guess`],
      ['another user', `admin:${LOGIN.pass}`],
    ] as const) {
      for (const url of ['/webtapi-camera', '/webtapi-camera/frame.jpg']) {
        const res = await get(nr.port, url, auth);
        assert.equal(res.status, 401, `${who}: ${url}`);
        assert.ok(!(res.body[0] === 0xff && res.body[1] === 0xd8), `${who}: ${url} gave a JPEG`);
      }
    }
    const frame = await get(nr.port, '/webtapi-camera/frame.jpg', `${LOGIN.user}:${LOGIN.pass}`);
    assert.match(frame.type, /^image\/jpeg/);
    assert.deepEqual([...frame.body.subarray(0, 2)], [0xff, 0xd8]);
    assert.equal((await get(nr.port, '/webtapi-camera', `${LOGIN.user}:${LOGIN.pass}`)).status, 200);
  });
});
