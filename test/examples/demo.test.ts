/*
 * `npm start` (scripts/demo.js) as a user runs it: a child process with Node-RED and the simulator,
 * checked through Node-RED's admin API and the simulator's WebTAPI, stopped with SIGINT.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebTapiClient } from '../../dist/client';
import { Simulator, startSimulator } from '../../dist/simulator';
import { until } from '../../scripts/lib/until';
import { DECLARED_TYPES } from '../declared-nodes';
import { Subscriber } from './mqtt';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'scripts', 'demo.js');
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
const EDITOR_LINE = /^Node-RED editor: (http:\/\/127\.0\.0\.1:(\d+)\/)$/m;

interface Demo {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  editor: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** This process's environment without the demo's own settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['PORT', 'WEBTAPI_SIM_PORT', 'WEBTAPI_URL', 'WEBTAPI_USER', 'WEBTAPI_PASSWORD', 'WEBTAPI_DEMO_DIR']) delete env[k];
  return env;
}

/** Starts the demo and resolves once it prints the editor's address (rejects if it exits first). */
function startDemo(args: string[], env: Record<string, string> = {}): Promise<Demo> {
  const child = spawn(process.execPath, [DEMO, ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let text = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = EDITOR_LINE.exec(text);
      if (m) {
        child.stdout!.removeListener('data', onData);
        child.stdout!.on('data', (c: Buffer) => {
          text += c.toString('utf8');
        });
        resolve({ child, output: () => text, editor: m[1], exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    void exited.then(({ code, signal }) => reject(new Error(`demo exited (${code ?? signal}) before it was ready:\n${text}`)));
  });
}

async function stopDemo(demo: Demo): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  demo.child.kill('SIGINT');
  return demo.exited;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200, `${url}: HTTP ${res.status}`);
  return res.json();
}

/** Polls an async condition (state in another process) until it holds. */
function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  return until(check, { what, timeoutMs, everyMs: 25 });
}

function takePort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

describe('npm start (scripts/demo.js)', function () {
  // Two Node-RED start-ups and the door opener's 3 s pulse.
  this.timeout(60_000);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-demo-'));
  let blocker: net.Server | undefined;
  let pbx: Simulator | undefined;

  // A failed assertion leaves the demo running: never past the test that started it.
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });
  after(async () => {
    for (const child of running) child.kill('SIGKILL');
    blocker?.close();
    await pbx?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('starts the simulator (on a free port when the chosen one is taken) and Node-RED with the examples deployed; Ctrl-C exits 0', async () => {
    blocker = await takePort();
    const busy = (blocker.address() as net.AddressInfo).port;
    const demo = await startDemo(['--port', '0', '--sim-port', String(busy), '--user-dir', userDir]);
    const out = demo.output();
    const simUrl = /^WebTAPI simulator: (\S+)/m.exec(out)?.[1];
    assert.ok(simUrl, out);
    const simPort = Number(new URL(simUrl).port);
    assert.notEqual(simPort, busy);
    assert.match(out, new RegExp(`port ${busy} is in use; the simulator listens on port ${simPort} instead`));
    assert.match(out, /example flows deployed to /);

    // Every node type package.json declares (eleven, the config node included), loaded from the working
    // tree without an error, and the examples listed.
    const sets = ((await getJson(`${demo.editor}nodes`)) as any[]).filter((s) => s.module === 'node-red-contrib-metasec-webtapi');
    assert.deepEqual(sets.flatMap((s) => s.types).sort(), [...DECLARED_TYPES].sort());
    for (const s of sets) {
      assert.equal(s.err, undefined, `${s.id}: ${s.err}`);
      assert.equal(s.enabled, true, s.id);
    }
    const listed = ((await getJson(`${demo.editor}library/examples/flows/node-red-contrib-metasec-webtapi`)) as Array<{ fn: string }>)
      .map((e) => e.fn)
      .sort();
    assert.deepEqual(listed, EXAMPLES);

    // Each example on its own tab, every METASEC node on the one config node, pointed at this simulator.
    const flows = (await getJson(`${demo.editor}flows`)) as Array<Record<string, any>>;
    assert.equal(flows.filter((n) => n.type === 'tab').length, EXAMPLES.length);
    const configs = flows.filter((n) => n.type === 'webtapi-config');
    assert.equal(configs.length, 1);
    assert.equal(configs[0].url, simUrl);
    for (const n of flows.filter((f) => DECLARED_TYPES.includes(f.type) && f.type !== 'webtapi-config'))
      assert.equal(n.server, configs[0].id, n.id);
    const creds = await getJson(`${demo.editor}credentials/webtapi-config/${configs[0].id}`);
    assert.deepEqual(creds, { username: '1004', has_password: true, has_eventToken: true });
    assert.equal(fs.statSync(path.join(userDir, 'flows_cred.json')).mode & 0o777, 0o600);
    await demoSecretsHold(demo.output());
    const eventToken = (
      JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8')) as Record<string, { eventToken: string }>
    )[configs[0].id].eventToken;
    assert.match(eventToken, /^[A-Za-z0-9_-]{32}$/);

    // The deployed door opener works: ring the doorbell from the editor, watch the simulator.
    const client = new WebTapiClient({ url: simUrl, username: '1004', password: 'secret', timeoutMs: 5000 });
    try {
      const res = await fetch(`${demo.editor}inject/ex1-ring`, { method: 'POST' });
      assert.equal(res.status, 200);
      await eventually('door relay 17 on', async () => (await client.relays.status('17')) === 1);
      await eventually('doorbell call ended and door closed', async () => {
        const calls = await client.calls.listAll();
        return !calls.some((c) => c.extension === '1009') && (await client.relays.status('17')) === 0;
      });
      // The same from a terminal, with the command the demo prints: the simulator's control API.
      const doorbell = /^ring the doorbell .*: curl -X POST '(\S+)'$/m.exec(demo.output())?.[1];
      assert.ok(doorbell, demo.output());
      assert.equal((await fetch(doorbell, { method: 'POST' })).status, 200);
      await eventually('door relay 17 on again', async () => (await client.relays.status('17')) === 1);
      // The simulator pushed those rings to the config node's event endpoint, and it took them.
      await eventually('pushes answered', async () => {
        const pushes = (await getJson(new URL('/sim/push', simUrl).href)) as { pushing: boolean; sent: number; failed: number };
        return pushes.pushing && pushes.sent >= 2 && pushes.failed === 0;
      });
      assert.equal((await fetch(`${demo.editor}metasec-webtapi/events/${eventToken}?event=demo-test`)).status, 200);
      assert.ok(!demo.output().includes(eventToken), 'the event token is not in the console');
    } finally {
      await client.close();
    }

    assert.deepEqual(await stopDemo(demo), { code: 0, signal: null });
    assert.match(demo.output(), /SIGINT: stopping Node-RED and the simulator/);
    assert.doesNotMatch(demo.output(), /\[error\]/);
  });

  /**
   * The door PIN and the broker's account: made once (random; stored 0600 in the user directory),
   * printed, the PIN set as the door nodes' `code`, the account on the example's broker node, and
   * the demo's broker refusing a client without it.
   */
  async function demoSecretsHold(out: string): Promise<string> {
    const pin = /^Door station dashboard: http:\/\/\S+ {2}\(door PIN: (\d{6})\)$/m.exec(out)?.[1];
    assert.ok(pin, out);
    assert.notEqual(pin, '123456');
    const secretsFile = path.join(userDir, 'demo-secrets.json');
    assert.equal(fs.statSync(secretsFile).mode & 0o777, 0o600);
    const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as { pin: string; mqtt: { username: string; password: string } };
    assert.equal(secrets.pin, pin);
    const stored = JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8')) as Record<string, Record<string, string>>;
    assert.equal(stored['ex6-relay'].code, pin);
    assert.equal(stored['ex7-relay'].code, pin);
    const broker = /^MQTT broker \(example Home Assistant via MQTT\): mqtt:\/\/127\.0\.0\.1:(\d+) \(user (\S+), password (\S+)\)$/m.exec(
      out,
    );
    assert.ok(broker, out);
    assert.deepEqual([broker[2], broker[3]], [secrets.mqtt.username, secrets.mqtt.password]);
    assert.deepEqual(stored['ex7-broker'], { user: secrets.mqtt.username, password: secrets.mqtt.password });
    await assert.rejects(Subscriber.connect(Number(broker[1]), ['#']), /Not authorized/i);
    const member = await Subscriber.connect(Number(broker[1]), ['#'], secrets.mqtt);
    await member.close();
    return pin;
  }

  it("keeps the user's flows and points them at a real PBX given by --pbx-url and WEBTAPI_USER/WEBTAPI_PASSWORD", async () => {
    const pinBefore = (JSON.parse(fs.readFileSync(path.join(userDir, 'demo-secrets.json'), 'utf8')) as { pin: string }).pin;
    const flowsFile = path.join(userDir, 'flows.json');
    const flows = JSON.parse(fs.readFileSync(flowsFile, 'utf8')) as Array<Record<string, any>>;
    flows.find((n) => n.type === 'tab')!.label = 'My front door';
    fs.writeFileSync(flowsFile, JSON.stringify(flows));

    const password = 'pbx-pass-7f3a';
    pbx = await startSimulator({ port: 0, users: { 1005: password } });
    const demo = await startDemo(['--port', '0', '--pbx-url', pbx.url, '--user-dir', userDir], {
      WEBTAPI_USER: '1005',
      WEBTAPI_PASSWORD: password,
    });
    assert.doesNotMatch(demo.output(), /WebTAPI simulator:/);
    assert.match(demo.output(), /using your flows in /);

    const deployed = (await getJson(`${demo.editor}flows`)) as Array<Record<string, any>>;
    assert.ok(deployed.some((n) => n.type === 'tab' && n.label === 'My front door'));
    assert.equal(deployed.find((n) => n.type === 'webtapi-config')!.url, pbx.url);
    // The watch nodes poll from the start: a login with the given credentials proves they arrived.
    await eventually('login at the PBX', async () => pbx!.stats.logins > 0);
    assert.equal(pbx.stats.loginFailures, 0);

    // The same PIN as on the first start: made once.
    assert.equal(await demoSecretsHold(demo.output()), pinBefore);
    assert.deepEqual(await stopDemo(demo), { code: 0, signal: null });
    assert.doesNotMatch(demo.output(), new RegExp(password));
  });

  it('refuses bad options with a usage text', async () => {
    const child = spawn(process.execPath, [DEMO, '--port', 'eighty'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (c) => {
        running.delete(child);
        resolve(c);
      }),
    );
    assert.equal(code, 2);
    assert.match(err, /--port must be a port number/);
    assert.match(err, /Usage: npm start/);
  });
});
