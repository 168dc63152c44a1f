/*
 * The audit trail: every call and relay action (and every other side effect) is logged at info
 * level with node id, action and target, so "who opened the door at 02:13" has an answer: also
 * when the PBX may have acted but its answer was lost.
 */
import assert from 'node:assert/strict';
import { auditValue } from '../../dist/nodes/glue/audit';
import { origin } from '../../dist/nodes/glue/origin';
import { caughtCode, helper, LEVEL, LOG, loadNode, PASSWORD, send, until, useSubjectSimulator } from './kit';

/** The audit lines of node n1, at the level they were logged. */
function trail(level: number = LEVEL.INFO): string[] {
  return LOG.at(level, 'n1').filter((l) => l.startsWith('audit '));
}

describe('reliability: audit trail', function () {
  this.timeout(30_000);
  const sim = useSubjectSimulator(
    {},
    {
      check: () => {
        // Never a secret in the trail.
        for (const line of LOG.at(LEVEL.INFO)) {
          assert.ok(!line.includes(PASSWORD), line);
          for (const sid of sim.sessions) assert.ok(!line.includes(sid), line);
        }
      },
    },
  );

  it('webtapi-call: call, prio, conference and pickup, at info level with node id, action and target', async () => {
    const nodes = await loadNode(sim, 'webtapi-call', { src: '1001' });
    assert.ok((await send(nodes, { payload: '1002' })).out);
    assert.ok((await send(nodes, { payload: { mode: 'prio', dst: '1003' } })).out);
    assert.ok((await send(nodes, { payload: { mode: 'conference', stations: '1004,1005', break: true } })).out);
    const chan = sim.ring('1006');
    assert.ok((await send(nodes, { payload: { mode: 'pickup', chan, dst: '1007' } })).out);
    assert.deepEqual(trail(), [
      'audit node=n1 action=call by=flow src=1001 dst=1002',
      'audit node=n1 action=call_prio by=flow dst=1003',
      'audit node=n1 action=call_create_conf by=flow stations=1004,1005 break=true',
      `audit node=n1 action=call_pick by=flow chan=${chan} dst=1007`,
    ]);
    assert.equal(trail(LEVEL.DEBUG).length, 0, "audit lines must show at Node-RED's default level (info)");
  });

  it('webtapi-relay-set: every switch, both of a pulse', async () => {
    const nodes = await loadNode(sim, 'webtapi-relay-set');
    assert.ok((await send(nodes, { relay: '17' })).out);
    assert.ok((await send(nodes, { payload: { relay: '18', status: 'off' } })).out);
    assert.ok((await send(nodes, { payload: { relay: '19', status: 'on', pulse: 30 } })).out);
    assert.deepEqual(trail(), [
      'audit node=n1 action=relay_status_set by=flow relay_id=17 status=1',
      'audit node=n1 action=relay_status_set by=flow relay_id=18 status=0',
      'audit node=n1 action=relay_status_set by=flow relay_id=19 status=1',
      'audit node=n1 action=relay_status_set by=flow relay_id=19 status=0',
    ]);
  });

  it('webtapi-hangup: one line per channel hung up', async () => {
    const nodes = await loadNode(sim, 'webtapi-hangup');
    const chan = sim.ring('1002');
    assert.ok((await send(nodes, { payload: chan })).out);
    sim.ring('1003', '1004');
    const r = await send(nodes, { payload: '1003' });
    assert.ok(r.out);
    assert.deepEqual(trail(), [
      `audit node=n1 action=call_hangup by=flow chan=${chan}`,
      ...(r.out.payload as string[]).map((c) => `audit node=n1 action=call_hangup by=flow chan=${c}`),
    ]);
  });

  it('webtapi-queue-agent, webtapi-cam-snapshot: side effects are logged, reads are not', async () => {
    let nodes = await loadNode(sim, 'webtapi-queue-agent', { queue: 'SUPPORT' });
    assert.ok((await send(nodes, { agent: '1007' })).out);
    assert.ok((await send(nodes, { payload: { operation: 'agents' } })).out);
    assert.ok((await send(nodes, { payload: { operation: 'logout' }, agent: '1007' })).out);
    assert.deepEqual(trail(), [
      'audit node=n1 action=agent_login by=flow q_name=SUPPORT src=1007',
      'audit node=n1 action=agent_logout by=flow q_name=SUPPORT src=1007',
    ]);
    await helper.unload();
    LOG.clear();
    nodes = await loadNode(sim, 'webtapi-cam-snapshot');
    assert.ok((await send(nodes, { camera: '44' })).out);
    assert.ok((await send(nodes, { payload: { operation: 'save', camera: '44' } })).out);
    assert.ok((await send(nodes, { payload: { operation: 'record', camera: '45' } })).out);
    assert.deepEqual(trail(), [
      'audit node=n1 action=vmx_cam_p_save by=flow CAMID=44',
      'audit node=n1 action=vmx_cam_s_record by=flow CAMID=45',
    ]);
  });

  it('webtapi-request: an action with a side effect is logged (an unknown one too), a read is not', async () => {
    const nodes = await loadNode(sim, 'webtapi-request');
    assert.ok((await send(nodes, { action: 'call_list' })).out);
    assert.ok((await send(nodes, { action: 'relay_status_set', payload: { relay_id: '18', status: 1 } })).out);
    assert.ok((await send(nodes, { action: 'call', payload: { src: '1001', dst: '1002' } })).out);
    // The simulator does not know this firmware addition and answers 0.
    const custom = await send(nodes, { action: 'door_open_all', payload: { zone: 'B' } });
    assert.equal(caughtCode(custom.error), 'WEBTAPI_ACTION_FAILED');
    assert.deepEqual(trail(), [
      'audit node=n1 action=relay_status_set by=flow relay_id=18 status=1',
      'audit node=n1 action=call by=flow src=1001 dst=1002',
      'audit node=n1 action=door_open_all by=flow zone=B result=WEBTAPI_ACTION_FAILED',
    ]);
  });

  it('an action whose outcome is unknown or that the PBX refused is logged with the reason; one never sent is not', async () => {
    const nodes = await loadNode(sim, 'webtapi-relay-set', { relay: '17' });
    sim.injectFault({ kind: 'reset-after', action: 'relay_status_set' });
    assert.equal(caughtCode((await send(nodes, {})).error), 'WEBTAPI_OUTCOME_UNKNOWN');
    assert.equal(sim.state.relays.get('17')!.status, 1, 'the door did open');
    sim.injectFault({ kind: 'zero', action: 'relay_status_set' });
    assert.equal(caughtCode((await send(nodes, { payload: 'off' })).error), 'WEBTAPI_ACTION_FAILED');
    assert.equal(caughtCode((await send(nodes, { payload: 'ajar' })).error), 'WEBTAPI_INVALID_INPUT');
    await sim.pause();
    assert.equal(caughtCode((await send(nodes, { payload: 'off' })).error), 'WEBTAPI_UNREACHABLE');
    assert.deepEqual(trail(), [
      'audit node=n1 action=relay_status_set by=flow relay_id=17 status=1 result=WEBTAPI_OUTCOME_UNKNOWN',
      'audit node=n1 action=relay_status_set by=flow relay_id=17 status=0 result=WEBTAPI_ACTION_FAILED',
    ]);
  });

  it('a pulse whose first switch has an unknown outcome is still switched back (and says so)', async () => {
    const nodes = await loadNode(sim, 'webtapi-relay-set', { relay: '17', status: 'on', pulse: 40 });
    sim.injectFault({ kind: 'reset-after', action: 'relay_status_set' });
    const r = await send(nodes, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_OUTCOME_UNKNOWN');
    assert.equal(sim.state.relays.get('17')!.status, 0, 'the door opener was left on');
    assert.equal(sim.stats.executed.relay_status_set, 2);
    assert.deepEqual(LOG.at(LEVEL.WARN, 'n1'), [
      'relay 17: switching to 1 may have happened (outcome unknown); switching back to 0 after the pulse all the same',
    ]);
    assert.deepEqual(trail(), [
      'audit node=n1 action=relay_status_set by=flow relay_id=17 status=1 result=WEBTAPI_OUTCOME_UNKNOWN',
      'audit node=n1 action=relay_status_set by=flow relay_id=17 status=0',
    ]);
    // A switch that certainly did not happen (refused) is not "switched back".
    sim.injectFault({ kind: 'zero', action: 'relay_status_set' });
    const refused = await send(nodes, {});
    assert.equal(caughtCode(refused.error), 'WEBTAPI_ACTION_FAILED');
    await until(() => sim.stats.byAction.relay_status_set >= 3);
    assert.equal(sim.stats.executed.relay_status_set, 2);
  });
});

describe('reliability: audit line values and origins (plain functions)', () => {
  it('writes a value as it is, or quoted where it holds a space, quote, backslash, = or control character', () => {
    const cases: Array<[string, string]> = [
      ['17', '17'],
      ['SIP/1004-0000003a', 'SIP/1004-0000003a'],
      ['dashboard:AbC_1', 'dashboard:AbC_1'],
      ['', '""'],
      ['a b', '"a b"'],
      ['a=b', '"a=b"'],
      ['say "hi"', '"say \\"hi\\""'],
      ['a\\b', '"a\\\\b"'],
      ['line\nbreak', '"line?break"'],
      ['tab\there', '"tab?here"'],
      ['del\u007f', '"del?"'],
      ['ünïcode', 'ünïcode'],
      ['a\u2028b', '"a?b"'],
    ];
    for (const [value, shown] of cases) assert.equal(auditValue(value), shown, JSON.stringify(value));
  });

  it('names the origin of a message: dashboard user or socket, http peer, mqtt topic, else flow', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'flow'],
      [{ _client: { socketId: 's1', socketIp: '::1' } }, 'dashboard:s1'],
      [{ _client: { user: { userId: 'u7', username: 'jane' }, socketId: 's1' } }, 'dashboard:jane'],
      [{ _client: { user: { userId: 'u7' }, socketId: 's1' } }, 'dashboard:u7'],
      [{ _client: {} }, 'flow'],
      [{ req: { ip: '::ffff:10.0.0.5' } }, 'http:::ffff:10.0.0.5'],
      [{ req: { socket: { remoteAddress: '10.0.0.6' } } }, 'http:10.0.0.6'],
      [{ topic: 'home/door', qos: 0, retain: true }, 'mqtt:home/door'],
      [{ topic: 'home/door' }, 'flow'],
      [{ _client: 'nonsense', req: 7, qos: '1' }, 'flow'],
      [{ _client: { socketId: 'x'.repeat(200) } }, `dashboard:${'x'.repeat(64)}`],
    ];
    for (const [msg, by] of cases) assert.equal(origin(msg as never), by, JSON.stringify(msg).slice(0, 80));
  });
});
