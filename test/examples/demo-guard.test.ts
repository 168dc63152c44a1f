/*
 * `npm start` and strangers: the demo has no adminAuth, so its admin API answers only the editor's
 * own page (scripts/demo/admin-guard.js), and against a real PBX (--pbx-url) its examples arrive
 * with their door and call nodes disabled (scripts/demo/pbx-safe.js). The demo runs as a child
 * process, as a user starts it; the "PBX" is a simulator in this process, so what reached it is seen.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Simulator, startSimulator } from '../../dist/simulator';
import { until } from '../../scripts/lib/until';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'scripts', 'demo.js');
const { prepareUserDir } = require(path.join(ROOT, 'scripts', 'demo', 'flows.js')) as {
  prepareUserDir(o: { dir: string; examplesDir: string; target: Record<string, unknown> }): unknown;
};
const { refusal, ownAddresses } = require(path.join(ROOT, 'scripts', 'demo', 'admin-guard.js')) as {
  refusal(req: { method: string; headers: Record<string, string> }, own: unknown): string | null;
  ownAddresses(port: number): unknown;
};
const EDITOR_LINE = /^Node-RED editor: (http:\/\/127\.0\.0\.1:(\d+)\/)$/m;
const PASSWORD = 'pbx-pass-guard-81';

interface Demo {
  child: ChildProcess;
  output(): string;
  port: number;
  exited: Promise<unknown>;
}

function startDemo(args: string[], env: Record<string, string>): Promise<Demo> {
  const clean = { ...process.env };
  for (const k of ['PORT', 'WEBTAPI_SIM_PORT', 'WEBTAPI_URL', 'WEBTAPI_USER', 'WEBTAPI_PASSWORD', 'WEBTAPI_DEMO_DIR']) delete clean[k];
  const child = spawn(process.execPath, [DEMO, '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdout!.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  return until(() => EDITOR_LINE.test(text), { what: "the demo's editor line", timeoutMs: 60_000, everyMs: 25 }).then(() => ({
    child,
    output: () => text,
    port: Number(EDITOR_LINE.exec(text)![2]),
    exited,
  }));
}

/** A raw HTTP request (node:http: fetch() may not set Host); answers status and body. */
function request(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Requests of the PBX that placed a call. */
const callsPlaced = (sim: Simulator): number => sim.requests.filter((r) => r.action === 'call').length;
const polls = (sim: Simulator): number => sim.stats.byAction.call_list_all ?? 0;

describe('npm start: strangers', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  let demo: Demo | undefined;
  let sim: Simulator;
  const userDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-demo-guard-'));
    dirs.push(dir);
    return dir;
  };
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, users: { 1005: PASSWORD } });
  });
  afterEach(async () => {
    if (demo) {
      demo.child.kill('SIGINT');
      await demo.exited;
      demo = undefined;
    }
    await sim.close();
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('admin guard rules: own Host and Origin pass; a foreign Host, Origin or Referer is refused; no Origin and no Referer is a local program', () => {
    const own = ownAddresses(4321);
    const req = (method: string, headers: Record<string, string>) => refusal({ method, headers }, own);
    assert.equal(req('POST', { host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321' }), null);
    assert.equal(req('POST', { host: 'localhost:4321', referer: 'http://localhost:4321/#flow/1' }), null);
    assert.equal(req('POST', { host: '127.0.0.1:4321' }), null);
    assert.equal(req('GET', { host: '127.0.0.1:4321' }), null);
    assert.match(String(req('GET', { host: 'rebound.example:4321' })), /Host/);
    assert.match(String(req('GET', { host: '127.0.0.1:4322' })), /Host/);
    assert.match(String(req('GET', { host: '127.0.0.1:4321', origin: 'https://evil.example' })), /Origin/);
    assert.match(String(req('POST', { host: '127.0.0.1:4321', origin: 'null' })), /Origin/);
    assert.match(String(req('DELETE', { host: '127.0.0.1:4321', referer: 'https://evil.example/page' })), /Referer/);
    assert.match(String(req('PATCH', { host: '127.0.0.1:4321', referer: 'not a url' })), /Referer/);
  });

  it("a cross-origin or DNS-rebound POST /inject/<id> is refused (403) and the door flow does not run; the editor's own origin runs it", async () => {
    // The user's own flows (the examples) against this process's simulator: what reaches the PBX is seen here.
    const dir = userDir();
    prepareUserDir({
      dir,
      examplesDir: path.join(ROOT, 'examples'),
      target: { mode: 'simulator', url: sim.url, username: '1005', password: PASSWORD },
    });
    demo = await startDemo(['--user-dir', dir, '--pbx-url', sim.url], { WEBTAPI_USER: '1005', WEBTAPI_PASSWORD: PASSWORD });
    const port = demo.port;
    const own = `127.0.0.1:${port}`;
    const refused = [
      await request(port, 'POST', '/inject/ex1-ring', { host: own, origin: 'https://evil.example' }),
      await request(port, 'POST', '/inject/ex1-ring', { host: own, referer: 'https://evil.example/page.html' }),
      await request(port, 'POST', '/inject/ex1-ring', { host: `rebound.example:${port}`, origin: `http://rebound.example:${port}` }),
      await request(port, 'POST', '/flows', { host: own, origin: 'https://evil.example', 'content-type': 'application/json' }),
    ];
    for (const r of refused) assert.equal(r.status, 403, r.body);
    assert.match(demo.output(), /demo: refused POST \/inject\/ex1-ring: Origin is not this demo's address/);

    const ok = await request(port, 'POST', '/inject/ex1-ring', { host: own, origin: `http://${own}`, referer: `http://${own}/` });
    assert.equal(ok.status, 200, ok.body);
    await until(() => sim.state.relays.get('17')!.status === 1, { what: 'door relay 17 on', timeoutMs: 10_000 });
    await until(() => sim.state.relays.get('17')!.status === 0, { what: 'door relay 17 off again', timeoutMs: 10_000 });
    // One doorbell call and one pulse (on, off): the refused requests ran nothing.
    assert.equal(callsPlaced(sim), 1);
    assert.equal(sim.state.relays.get('17')!.sets, 2);
  });

  it('--pbx-url with fresh examples: door and call nodes deployed disabled, a comment says how to enable them, the console says so', async () => {
    const dir = userDir();
    demo = await startDemo(['--user-dir', dir, '--pbx-url', sim.url], { WEBTAPI_USER: '1005', WEBTAPI_PASSWORD: PASSWORD });
    assert.match(
      demo.output(),
      /against a real PBX: the nodes that open doors or place calls are deployed disabled \(.*Door opener on doorbell.*\); a comment on each tab says how to enable them/,
    );
    const flows = JSON.parse(
      (await request(demo.port, 'GET', '/flows', { host: `127.0.0.1:${demo.port}`, accept: 'application/json' })).body,
    ) as Array<Record<string, any>>;
    const risky = flows.filter((n) =>
      ['webtapi-relay-set', 'webtapi-call', 'webtapi-hangup', 'webtapi-queue-agent', 'webtapi-request'].includes(n.type),
    );
    assert.ok(risky.length >= 10);
    for (const n of risky) assert.equal(n.d, true, `${n.id} (${n.type}) is disabled`);
    for (const tab of new Set(risky.map((n) => n.z))) {
      const note = flows.find((n) => n.type === 'comment' && n.z === tab && /^Disabled against the real PBX/.test(n.name));
      assert.ok(note && /To enable them/.test(note.info), `a comment on tab ${tab}`);
    }
    // The read-only parts run: the call monitors poll. The doorbell rings, the inject is clicked: no call, no relay.
    await until(() => polls(sim) >= 1, { what: 'the call monitors poll', timeoutMs: 10_000 });
    sim.doorbell('1001');
    assert.equal((await request(demo.port, 'POST', '/inject/ex1-ring', { host: `127.0.0.1:${demo.port}` })).status, 200);
    const seen = polls(sim);
    await until(() => polls(sim) >= seen + 3, { what: 'three more polls', timeoutMs: 10_000 });
    assert.equal(sim.state.relays.get('17')!.sets, 0);
    assert.equal(callsPlaced(sim), 0);
  });
});
