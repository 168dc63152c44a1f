/*
 * The nodes in a real Node-RED runtime against a PBX whose lists are in shapes docs/protocol.md
 * does not assume (`queue show`, hints, key=value pairs, CLI columns, AMI prefixes): every list
 * gives data, one item per line with `raw`, never an error.
 */
import assert from 'node:assert/strict';
import { ALL, helper, outcome, useNodeServer, type TestNode } from '../nodes/harness';
import { startOddPbx, type OddPbx } from './odd-pbx';

type Nodes = { n1: TestNode; out: TestNode; caught: TestNode };

async function load(pbx: OddPbx, type: string, props: Record<string, unknown>): Promise<Nodes> {
  await helper.load(
    ALL,
    [
      { id: 'cfg', type: 'webtapi-config', name: 'odd', url: pbx.url, timeout: 2000, concurrency: 2 },
      { id: 'n1', type, name: 'under test', server: 'cfg', ...props, wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ],
    { cfg: { username: pbx.user, password: pbx.password } },
  );
  return { n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
}

async function payload(nodes: Nodes, msg: Record<string, unknown>): Promise<any> {
  const r = await outcome(nodes, msg);
  assert.ok(r.out, `${JSON.stringify(msg)}: ${JSON.stringify(r.error?.error)}`);
  return r.out.payload;
}

describe('the nodes against a PBX with differently shaped lists', () => {
  const odd = useNodeServer(startOddPbx);

  it('webtapi-queue-agent: queues, members and callers from `queue show` and AMI output', async () => {
    const nodes = await load(odd.server, 'webtapi-queue-agent', { operation: '', queue: 'VMX' });
    const queues = await payload(nodes, { payload: 'queues' });
    assert.deepEqual(
      queues.map((q: any) => [q.shape, q.section, q.name]),
      [
        ['queue', 'queue', 'VMX'],
        ['queue', 'queue', 'SUPPORT'],
      ],
      'the queues only: no members, callers or titles',
    );
    const agents = await payload(nodes, { operation: 'agents' });
    assert.deepEqual(
      agents.map((a: any) => [a.agent, a.state, a.raw.startsWith('Output: ')]),
      [
        ['SIP/1001-IPCZncL', 'Not in use', true],
        ['SIP/1002', 'Busy', true],
      ],
    );
    const waiting = await payload(nodes, { operation: 'waiting' });
    assert.deepEqual(
      waiting.map((c: any) => [c.position, c.channel, c.wait]),
      [[1, 'SIP/trunk-000000aa', 42]],
    );
    const calls = await payload(nodes, { operation: 'calls' });
    assert.deepEqual(
      calls.map((c: any) => [c.shape, c.channel, c.duration, c.bridgeId]),
      [['concise', 'SIP/trunk-000000aa', 42, null]],
      'AMI output: the empty Output: line is no item',
    );
  });

  it('webtapi-request: every list action gives one item per line with raw', async () => {
    const nodes = await load(odd.server, 'webtapi-request', { action: '' });
    const calls = await payload(nodes, { payload: 'call_list' });
    assert.deepEqual(
      calls.map((c: any) => [c.shape, c.channel, c.extension, c.text]),
      [['channel', 'SIP/frontdesk-00000001', 'frontdesk', 'Up 0:12']],
    );
    const all = await payload(nodes, { payload: 'call_list_all' });
    assert.deepEqual(
      all.map((c: any) => [c.shape, c.fieldCount, c.bridgedTo]),
      [
        ['concise', 12, 'SIP/1002-00000002'],
        ['concise', 12, 'SIP/frontdesk-00000001'],
      ],
    );
    assert.deepEqual(await payload(nodes, { payload: 'call_status_get' }), {
      frontdesk: { code: 1, state: 'inuse' },
      1001: { code: 0, state: 'idle' },
      1002: { code: 8, state: 'ringing' },
    });
    const relays = await payload(nodes, { payload: 'relay_list' });
    assert.deepEqual(
      relays.map((r: any) => [r.id, r.name, r.status]),
      [
        ['17', 'Door', 1],
        ['18', 'Gate', 0],
      ],
    );
    const cams = await payload(nodes, { payload: 'vmx_cam_list' });
    assert.deepEqual(
      cams.map((c: any) => [c.id, c.name, c.fields]),
      [
        ['44', 'Entrance', ['(online)']],
        ['45', 'Garage', ['(offline)']],
      ],
    );
    const files = await payload(nodes, { payload: 'call_record_list' });
    assert.equal(files.length, 2);
    assert.ok(files.every((f: any) => typeof f.file === 'string' && f.raw === f.file));
  });

  it('webtapi-status-watch: states from `core show hints` lines', async () => {
    const nodes = await load(odd.server, 'webtapi-status-watch', { extensions: '', interval: 60000 });
    const got: Array<[string, string]> = [];
    await new Promise<void>((resolve) => {
      nodes.out.on('input', (m: { topic: string; payload: string }) => {
        got.push([m.topic, m.payload]);
        if (got.length === 3) resolve();
      });
    });
    assert.deepEqual(got.sort(), [
      ['1001', 'idle'],
      ['1002', 'ringing'],
      ['frontdesk', 'inuse'],
    ]);
  });
});
