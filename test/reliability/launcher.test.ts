/*
 * The launcher's child-process mode (scripts/lib/nodered.js), as the suites that stop Node-RED the
 * hard way use it: the real node-red command on a user directory, a deploy with credentials, a
 * SIGKILL (no close handler runs), and a start again on the same directory with the same flows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { childConfig } from '../child-flow';
import { until } from '../nodes/harness';

describe('the Node-RED launcher: a child process killed and started again on its user directory', function () {
  this.timeout(90_000);
  let sim: Simulator;
  const started: ChildNodeRed[] = [];

  before(async () => {
    sim = await startSimulator({ port: 0 });
  });
  after(async () => {
    for (const nr of started) await nr.kill();
    if (started[0]) fs.rmSync(started[0].userDir, { recursive: true, force: true });
    await sim.close();
  });

  it('runs the deployed flow again after a SIGKILL, with its credentials', async () => {
    const first = await startChild();
    started.push(first);
    await first.deploy([
      { id: 'tab', type: 'tab', label: 'launcher' },
      childConfig(sim.url, { username: '1004', password: 'secret' }),
      { id: 'watch', type: 'webtapi-status-watch', z: 'tab', server: 'cfg', extensions: '1001', interval: 100, wires: [[]] },
    ]);
    await until(() => sim.stats.logins >= 1, { timeoutMs: 10_000, what: 'a login from the first Node-RED' });

    const mark = first.output().length;
    const exit = await first.kill();
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    assert.ok(!first.output().slice(mark).includes('Stopping flows'), 'no close handler may run on SIGKILL');

    const logins = sim.stats.logins;
    const second = await startChild({ userDir: first.userDir });
    started.push(second);
    assert.notEqual(second.pid, first.pid);
    // The flows and the encrypted credentials were read back from the same user directory.
    await until(() => sim.stats.logins > logins, { timeoutMs: 10_000, what: 'a login from the second Node-RED' });
    assert.equal(sim.stats.loginFailures, 0);
    const exitAgain = await second.stop();
    assert.equal(exitAgain.code, 0);
    assert.match(second.output(), /\[info\] Stopping flows/);
  });
});
