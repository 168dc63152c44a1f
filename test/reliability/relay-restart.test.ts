/*
 * A pulse survives a crash: a real Node-RED process (the node-red command, not the test helper)
 * is killed with SIGKILL 300 ms into a 3 s pulse, so no close handler runs, and started again on
 * the same user directory. The journal there makes the new process switch the relay back within
 * 5 s of its start, exactly once.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { until } from '../nodes/harness';

const USER = '1004';
const PASSWORD = 'secret';
const packageDir = path.resolve(__dirname, '..', '..');

function flows(sim: Simulator): object[] {
  return [
    { id: 'tab1', type: 'tab', label: 'door' },
    { id: 'cfg', type: 'webtapi-config', name: 'pbx', url: sim.url, timeout: 2000, concurrency: 4, credentials: { username: USER, password: PASSWORD } },
    { id: 'in1', type: 'http in', z: 'tab1', url: '/pulse', method: 'post', wires: [['door', 'res1']] },
    { id: 'res1', type: 'http response', z: 'tab1', statusCode: '202', wires: [] },
    { id: 'door', type: 'webtapi-relay-set', z: 'tab1', server: 'cfg', relay: '17', relayStatus: 'on', relayStatusType: 'str', pulse: 3000, wires: [[]] },
  ];
}

describe('reliability: a pulse survives a SIGKILL of Node-RED', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let nr: ChildNodeRed | undefined;
  let userDir: string | undefined;

  before(async () => {
    sim = await startSimulator({ port: 0, users: { [USER]: PASSWORD } });
  });
  after(async () => {
    if (nr) await nr.kill();
    await sim.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('killed 300 ms into a 3 s pulse and started again: switched back within 5 s of the start, exactly once', async () => {
    const sets = (status: string) => sim.requests.filter((r) => r.action === 'relay_status_set' && r.params.status === status);
    nr = await startChild({ nodesDir: [packageDir], timeoutMs: 60_000 });
    userDir = nr.userDir;
    await nr.deploy(flows(sim));
    const res = await fetch(`${nr.url}pulse`, { method: 'POST' });
    assert.equal(res.status, 202);
    await until(() => sets('1').length === 1 && sim.state.relays.get('17')!.status === 1, 10_000);
    const on = sets('1')[0].at;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, on + 300 - Date.now())));
    const exit = await nr.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(sim.state.relays.get('17')!.status, 1, 'the relay is still on after the kill');
    assert.equal(sets('0').length, 0);

    const started = Date.now();
    nr = await startChild({ userDir, nodesDir: [packageDir], timeoutMs: 60_000 });
    await until(() => sim.state.relays.get('17')!.status === 0, 15_000);
    const back = sets('0');
    const afterStart = back[0].at - started;
    console.log(`      switched back ${afterStart} ms after the new start (${back[0].at - on} ms after the switch-on)`);
    assert.ok(afterStart <= 5000, `switched back ${afterStart} ms after the start`);
    assert.ok(back[0].at - on >= 2900, 'switched back before the pulse was over');
    // A clean stop must not switch again; then count every relay_status_set the PBX received.
    await nr.stop();
    assert.match(nr.output(), /audit node=door action=relay_status_set relay_id=17 status=0 completes=pulse-before-restart/);
    assert.equal(sets('0').length, 1, 'switched back more than once');
    assert.equal(sets('1').length, 1);
  });
});
