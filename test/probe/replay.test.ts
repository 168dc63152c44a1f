/*
 * Capture the simulator with webtapi-probe, start a second simulator replaying the capture, and
 * run every node that reads against both: the results must be the same. The first simulator's
 * state is changed before the capture (an agent logged in, a relay on, a call, a recording), so
 * the replaying one, which starts from the defaults, can only match by answering from the capture.
 * Date is frozen (only Date: timers run) so call durations do not tick between the two runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { WebTapiClient } from '../../dist/client';
import type { Capture } from '../../dist/probe/capture';
import { runProbe } from '../../dist/probe/probe';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { helper, loadFlow, outcome } from '../nodes/harness';
import { PKG, PLAIN_READS } from './kit';

async function capture(sim: Simulator): Promise<Capture> {
  const report = await runProbe({ url: sim.url, user: '1004', password: 'secret', media: true, ...PKG });
  assert.equal(report.ok, true, report.reason);
  return report.capture;
}

/** What a node outputs for each message, in order. */
async function results(
  sim: Simulator,
  type: string,
  props: Record<string, unknown>,
  msgs: Array<Record<string, unknown>>,
): Promise<unknown[]> {
  const nodes = await loadFlow(sim, type, props);
  try {
    const out: unknown[] = [];
    for (const msg of msgs) {
      const r = await outcome(nodes, structuredClone(msg));
      assert.ok(r.out, `${type} ${JSON.stringify(msg)}: ${JSON.stringify(r.error?.error)}`);
      out.push(r.out.payload);
    }
    return out;
  } finally {
    await helper.unload();
  }
}

/** The first `count` messages a status-watch node sends, sorted by topic. */
async function watched(sim: Simulator, count: number): Promise<unknown[]> {
  const nodes = await loadFlow(sim, 'webtapi-status-watch', { extensions: '', watchRelays: '17,18,19', watchCalls: true, interval: 60000 });
  try {
    const got: Array<{ topic: string; payload: unknown }> = [];
    await new Promise<void>((resolve) => {
      nodes.out.on('input', (m: { topic: string; payload: unknown }) => {
        got.push({ topic: m.topic, payload: m.payload });
        if (got.length === count) resolve();
      });
    });
    return got.sort((a, b) => a.topic.localeCompare(b.topic));
  } finally {
    await helper.unload();
  }
}

describe('replay: a simulator answering from a capture', () => {
  let clock: sinon.SinonFakeTimers;
  let original: Simulator;
  let replaying: Simulator;
  let captured: Capture;

  before(async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    original = await startSimulator({ port: 0 });
    const client = new WebTapiClient({ url: original.url, username: '1004', password: 'secret' });
    try {
      await client.queues.agentLogin('VMX', '1002');
      await client.relays.set('18', 1);
      await client.calls.call('1001', '1003');
      const chan = [...original.state.channels.keys()].find((n) => n.startsWith('SIP/1001-'));
      assert.ok(chan);
      await client.calls.recordStart(chan, 'replayed_call');
    } finally {
      await client.close();
    }
    captured = await capture(original);
    replaying = await startSimulator({ port: 0, replay: captured });
  });
  after(async () => {
    await original?.close();
    await replaying?.close();
    clock.restore();
  });

  it('answers captured reads with the captured bytes: a capture of the replay equals the capture', async () => {
    const again = await capture(replaying);
    const strip = (c: Capture) => c.entries.map(({ durationMs: _d, ...e }) => e);
    assert.deepEqual(strip(again), strip(captured));
    assert.equal(replaying.stats.executed.agent_login, undefined, 'the replaying simulator ran nothing itself');
  });

  it('every node that reads gives the same results against both', async () => {
    const queueOps = [{ payload: 'queues' }, { operation: 'agents' }, { operation: 'calls' }, { operation: 'waiting' }];
    const reads: Array<Record<string, unknown>> = PLAIN_READS.map((action) => ({ payload: action }));
    reads.push({ payload: { action: 'relay_status_get', relay_id: '18' } }, { payload: { action: 'agent_list', q_name: 'VMX' } });
    for (const [type, props, msgs] of [
      ['webtapi-queue-agent', { operation: 'agents', queue: 'VMX' }, queueOps],
      ['webtapi-request', { action: '' }, reads],
    ] as const) {
      const want = await results(original, type, props, [...msgs]);
      const got = await results(replaying, type, props, [...msgs]);
      assert.deepEqual(got, want, `${type}: ${JSON.stringify(got).slice(0, 300)} vs ${JSON.stringify(want).slice(0, 300)}`);
    }
    const agents = (await results(replaying, 'webtapi-queue-agent', { operation: 'agents', queue: 'VMX' }, [{}]))[0];
    assert.deepEqual(
      (agents as Array<{ agent: string }>).map((a) => a.agent),
      ['1001', '1002'],
      'the captured state, not the defaults',
    );
    assert.deepEqual(await watched(replaying, 13), await watched(original, 13), 'webtapi-status-watch');
  });

  it('webtapi-cam-snapshot gets the captured picture, byte for byte', async () => {
    const [pic] = await results(replaying, 'webtapi-cam-snapshot', { camera: '44', operation: 'picture', output: 'buffer' }, [{}]);
    const entry = captured.entries.find((e) => e.action === 'vmx_cam_get_pic' && e.params.CAMID === '44');
    assert.ok(Buffer.isBuffer(pic) && entry?.sha256);
    assert.equal(createHash('sha256').update(pic).digest('hex'), entry.sha256);
  });

  it("actions not in the capture, and every side effect, are the simulator's own", async () => {
    const client = new WebTapiClient({ url: replaying.url, username: '1004', password: 'secret' });
    try {
      assert.equal(await client.relays.set('17', 1), true);
      assert.equal(replaying.stats.executed.relay_status_set, 1);
      assert.equal(await client.relays.status('17'), 0, 'relay_status_get 17 was captured at 0 and is replayed');
      const states = await client.calls.statusGet(['1001', '1003']);
      assert.deepEqual(Object.keys(states).sort(), ['1001', '1003'], 'a filter the probe did not send: the simulator answers');
    } finally {
      await client.close();
    }
  });

  it('webtapi-sim --replay FILE serves the capture', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
    const file = path.join(dir, 'capture.json');
    fs.writeFileSync(file, JSON.stringify(captured));
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '..', '..', 'dist', 'simulator', 'bin.js'), '--port', '0', '--quiet', '--replay', file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /listening on (\S+)[\s\S]*replaying the read-only answers of /.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`webtapi-sim exited ${code}: ${out}`)));
      });
      const client = new WebTapiClient({ url, username: '1004', password: 'secret' });
      try {
        const agents = await client.queues.agents('VMX');
        assert.deepEqual(
          agents.map((a) => a.raw),
          ['1001', '1002'],
        );
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
