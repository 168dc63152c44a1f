/*
 * The dialog is the authority (fast-check): for every node type that takes fields from messages
 * and every one of its fields, a node whose dialog sets the field sends the dialog's value to the
 * PBX whatever a random message holds, in msg.payload.F, msg.F or a scalar msg.payload. What is
 * observed is what the simulator received, not what the node reports.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Simulator } from '../../dist/simulator';
import type { SimRequest } from '../../dist/simulator/types';
import { caughtCode, lastStatus, loadNode, send, statuses, until, useSubjectSimulator, type Nodes } from './kit';

interface Case {
  name: string;
  type: string;
  /** The dialog: every field the node takes from messages is set. */
  props: Record<string, unknown>;
  /** The one action the node may send, and the parameters the dialog fixes. */
  action: string;
  fixed: Record<string, string>;
  /** Further requests the action may need (a read before a hang-up, a confirmation read). */
  also?: Array<{ action: string; fixed: Record<string, string> }>;
  /** Parameters other than the fixed ones may come from the message (webtapi-request). */
  open?: boolean;
  /** The `status` of each of the action's requests per message, where the node sends several (a pulse). */
  statuses?: string[];
  /** Field names a message tries (the node's and its neighbours'). */
  fields: string[];
}

const CASES: Case[] = [
  {
    name: 'webtapi-call (call)',
    type: 'webtapi-call',
    props: { mode: 'call', src: '1001', dst: '1002', break: true },
    action: 'call',
    fixed: { src: '1001', dst: '1002' },
    fields: ['mode', 'src', 'dst', 'stations', 'break', 'chan'],
  },
  {
    name: 'webtapi-call (conference)',
    type: 'webtapi-call',
    props: { mode: 'conference', stations: '1004,1005', break: true },
    action: 'call_create_conf',
    fixed: { stations: '1004,1005', break: 'true' },
    fields: ['mode', 'src', 'dst', 'stations', 'break', 'chan'],
  },
  {
    name: 'webtapi-call (pickup)',
    type: 'webtapi-call',
    props: { mode: 'pickup', chan: 'SIP/1003-000000aa', dst: '1006' },
    action: 'call_pick',
    fixed: { chan: 'SIP/1003-000000aa', dst: '1006' },
    fields: ['mode', 'src', 'dst', 'stations', 'break', 'chan'],
  },
  {
    name: 'webtapi-hangup',
    type: 'webtapi-hangup',
    props: { target: 'SIP/1003-000000aa' },
    action: 'call_hangup',
    fixed: { chan: 'SIP/1003-000000aa' },
    fields: ['target', 'chan'],
  },
  {
    name: 'webtapi-queue-agent (login)',
    type: 'webtapi-queue-agent',
    props: { operation: 'login', queue: 'SUPPORT', agent: '1007' },
    action: 'agent_login',
    fixed: { q_name: 'SUPPORT', src: '1007' },
    fields: ['operation', 'queue', 'agent', 'chan', 'position'],
  },
  {
    name: 'webtapi-queue-agent (shift)',
    type: 'webtapi-queue-agent',
    props: { operation: 'shift', queue: 'VMX', chan: 'SIP/1001-000000aa', position: '1' },
    action: 'q_shift_caller',
    fixed: { q_name: 'VMX', chan: 'SIP/1001-000000aa', position: '1' },
    fields: ['operation', 'queue', 'agent', 'chan', 'position'],
  },
  {
    name: 'webtapi-relay-set (switch)',
    type: 'webtapi-relay-set',
    props: { relay: '17', relayStatus: 'on', pulse: 0 },
    action: 'relay_status_set',
    fixed: { relay_id: '17', status: '1' },
    also: [{ action: 'relay_status_get', fixed: { relay_id: '17' } }],
    fields: ['relay', 'status', 'pulse'],
  },
  {
    name: 'webtapi-relay-set (pulse)',
    type: 'webtapi-relay-set',
    props: { relay: '18', relayStatus: 'on', pulse: 5 },
    action: 'relay_status_set',
    fixed: { relay_id: '18' },
    statuses: ['1', '0'],
    also: [{ action: 'relay_status_get', fixed: { relay_id: '18' } }],
    fields: ['relay', 'status', 'pulse'],
  },
  {
    name: 'webtapi-cam-snapshot',
    type: 'webtapi-cam-snapshot',
    props: { camera: '44', operation: 'save', output: 'buffer' },
    action: 'vmx_cam_p_save',
    fixed: { CAMID: '44' },
    fields: ['camera', 'operation', 'output'],
  },
  {
    name: 'webtapi-request',
    type: 'webtapi-request',
    props: { action: 'relay_status_get', params: '{"relay_id":"17"}' },
    action: 'relay_status_get',
    fixed: { relay_id: '17' },
    open: true,
    fields: ['action', 'relay_id', 'status', 'filter'],
  },
];

/** Values flows send, other valid ids, and the edge cases of "set". */
const value = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    0,
    1,
    false,
    true,
    'off',
    'toggle',
    'on',
    86_400_000,
    '18',
    '19',
    '1003',
    'VMX',
    '45',
    'SIP/1009-00000001',
    'prio',
    'conference',
    'logout',
    'remove',
    'record',
    'list',
    'dataurl',
    'relay_status_set',
    'call',
  ),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -1, max: 300 }),
);

function message(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  const some = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length });
  return fc.record({ payload: fc.oneof(value, some), top: some }).map(({ payload, top }) => ({ ...top, payload }));
}

/** The requests the PBX got since `count` (the log is bounded: counted from its end). */
function since(sim: Simulator, count: number): SimRequest[] {
  const fresh = sim.stats.requests - count;
  return fresh > 0 ? sim.requests.slice(-fresh) : [];
}

function allowed(c: Case, r: SimRequest): boolean {
  const rules = [{ action: c.action, fixed: c.fixed }, ...(c.also ?? [])];
  return rules.some(
    (rule) =>
      rule.action === r.action &&
      Object.entries(rule.fixed).every(([k, v]) => r.params[k] === v) &&
      (c.open || rule.action !== c.action || Object.keys(r.params).every((k) => k in c.fixed || (k === 'status' && c.statuses))),
  );
}

describe('reliability: a message never changes a field set in the dialog (fast-check, every node, every field)', function () {
  this.timeout(120_000);
  const sim = useSubjectSimulator();

  for (const c of CASES) {
    it(`${c.name}: ${c.fields.join(', ')}`, async () => {
      const nodes: Nodes = await loadNode(sim, c.type, c.props);
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(message(c.fields), async (msg) => {
          const count = sim.stats.requests;
          const r = await send(nodes, msg);
          const got = since(sim, count).filter(
            (q) => q.action !== 'login' && !(q.action === 'call_status_get' && Object.keys(q.params).length === 0),
          );
          for (const q of got)
            assert.ok(allowed(c, q), `${JSON.stringify(msg)} made the node send ${q.action} ${JSON.stringify(q.params)}`);
          const mine = got.filter((q) => q.action === c.action).length;
          if (c.statuses)
            assert.deepEqual(
              got.filter((q) => q.action === c.action).map((q) => q.params.status),
              c.statuses,
              JSON.stringify(msg),
            );
          // Every field is fixed: the message cannot stop the request either (webtapi-request's open
          // parameters can be refused before anything is sent).
          if (!c.open || caughtCode(r.error) !== 'WEBTAPI_INVALID_INPUT')
            assert.ok(mine > 0, `${JSON.stringify(msg)}: nothing sent (${JSON.stringify(r.error?.error ?? r.out?.webtapi)})`);
          sent += mine;
        }),
        { numRuns: 40 },
      );
      assert.ok(sent >= 40);
    });
  }

  it('webtapi-cam-stream: camera', async () => {
    const nodes = await loadNode(sim, 'webtapi-cam-stream', { camera: '44' });
    const seen = statuses(nodes.n1);
    await fc.assert(
      fc.asyncProperty(fc.record({ camera: value, payload: fc.constantFrom('start', true) }), async (msg) => {
        nodes.n1.receive(msg);
        await until(() => /streaming/.test(lastStatus(seen).text ?? ''));
        assert.match(lastStatus(seen).text ?? '', /streaming 44$/, JSON.stringify(msg));
        nodes.n1.receive({ payload: 'stop' });
        await until(() => /stopped/.test(lastStatus(seen).text ?? ''));
      }),
      { numRuns: 10 },
    );
    const streams = sim.requests.filter((q) => q.action === 'vmx_cam_get_stream');
    assert.ok(streams.length >= 10, `${streams.length} streams opened`);
    assert.deepEqual([...new Set(streams.map((q) => q.params.CAMID))], ['44']);
  });
});
