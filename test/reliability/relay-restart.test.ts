/*
 * A pulse survives a crash: a real Node-RED process (the node-red command, not the test helper)
 * is killed with SIGKILL 300 ms into a 3 s pulse, so no close handler runs, and started again on
 * the same user directory. The journal there makes the new process switch the relay back within
 * 5 s of its start, exactly once. "Its start" is when the new runtime starts its flows, seen by a
 * beacon in the flow (an inject node firing once at start, posting to this test): how long the
 * process takes to load Node-RED before that depends on the machine's load, not on this package,
 * and is printed as well.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { childConfig } from '../child-flow';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { until } from '../nodes/harness';

const USER = '1004';
const PASSWORD = 'secret';
const packageDir = path.resolve(__dirname, '..', '..');

function flows(sim: Simulator, beacon: string): object[] {
  return [
    {
      id: 'up',
      type: 'inject',
      z: 'tab1',
      once: true,
      onceDelay: 0.1,
      repeat: '',
      props: [{ p: 'payload' }],
      payload: '',
      payloadType: 'date',
      wires: [['beacon']],
    },
    { id: 'beacon', type: 'http request', z: 'tab1', method: 'POST', ret: 'txt', url: beacon, wires: [[]] },
    { id: 'tab1', type: 'tab', label: 'door' },
    childConfig(sim.url, { username: USER, password: PASSWORD }, { concurrency: 4 }),
    { id: 'in1', type: 'http in', z: 'tab1', url: '/pulse', method: 'post', wires: [['door', 'res1']] },
    { id: 'res1', type: 'http response', z: 'tab1', statusCode: '202', wires: [] },
    {
      id: 'door',
      type: 'webtapi-relay-set',
      z: 'tab1',
      server: 'cfg',
      relay: '17',
      relayStatus: 'on',
      relayStatusType: 'str',
      pulse: 3000,
      wires: [[]],
    },
  ];
}

describe('reliability: a pulse survives a SIGKILL of Node-RED', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let nr: ChildNodeRed | undefined;
  let userDir: string | undefined;
  /** When the flows of a runtime started (the beacon's arrival, less its 100 ms delay). */
  const flowStarts: number[] = [];
  let beacon: http.Server;

  before(async () => {
    sim = await startSimulator({ port: 0, users: { [USER]: PASSWORD } });
    beacon = http.createServer((req, res) => {
      flowStarts.push(Date.now() - 100);
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    if (nr) await nr.kill();
    await sim.close();
    await new Promise((resolve) => beacon.close(resolve));
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('killed 300 ms into a 3 s pulse and started again: switched back within 5 s of the start, exactly once', async () => {
    const sets = (status: string) => sim.requests.filter((r) => r.action === 'relay_status_set' && r.params.status === status);
    nr = await startChild({ nodesDir: [packageDir], timeoutMs: 60_000 });
    userDir = nr.userDir;
    const address = beacon.address() as { port: number };
    await nr.deploy(flows(sim, `http://127.0.0.1:${address.port}/up`));
    const res = await fetch(`${nr.url}pulse`, { method: 'POST' });
    assert.equal(res.status, 202);
    await until(() => sets('1').length === 1 && sim.state.relays.get('17')!.status === 1, 10_000);
    const on = sets('1')[0].at;
    // The journal was written before the switch-on was sent: its `due` is what the restart keeps.
    const journalled = JSON.parse(readFileSync(path.join(userDir, 'metasec-webtapi-relays.json'), 'utf8')) as {
      pending: { due: number }[];
    };
    const due = journalled.pending[0].due;
    assert.ok(due - on >= 2000, `the journalled switch-back is ${due - on} ms after the switch-on, not the pulse's end`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, on + 300 - Date.now())));
    const exit = await nr.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(sim.state.relays.get('17')!.status, 1, 'the relay is still on after the kill');
    assert.equal(sets('0').length, 0);

    const spawned = Date.now();
    const starts = flowStarts.length;
    nr = await startChild({ userDir, nodesDir: [packageDir], timeoutMs: 60_000 });
    await until(() => sim.state.relays.get('17')!.status === 0, 15_000);
    await until(() => flowStarts.length > starts, 15_000);
    const back = sets('0');
    const afterStart = back[0].at - flowStarts[starts];
    console.log(
      `      switched back ${afterStart} ms after the new runtime started its flows, ${back[0].at - spawned} ms after the process was spawned, ${back[0].at - on} ms after the switch-on`,
    );
    assert.ok(afterStart <= 5000, `switched back ${afterStart} ms after the start`);
    // Not before the journalled end (the gap to `on` is the journal write and the request's way).
    assert.ok(back[0].at >= due, `switched back ${due - back[0].at} ms before the pulse was over`);
    // A clean stop must not switch again; then count every relay_status_set the PBX received.
    await nr.stop();
    assert.match(nr.output(), /audit node=door action=relay_status_set by=flow relay_id=17 status=0 completes=pulse-before-restart/);
    assert.equal(sets('0').length, 1, 'switched back more than once');
    assert.equal(sets('1').length, 1);
    const journal = JSON.parse(readFileSync(path.join(userDir, 'metasec-webtapi-relays.json'), 'utf8')) as { pending: unknown[] };
    assert.deepEqual(journal.pending, []);
  });
});
