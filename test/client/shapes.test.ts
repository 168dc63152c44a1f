import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACTIONS, ConciseChannel, LineItem, ListItem, WebTapiError, parseAgents, parseChannels, parseList, parseQueues,
  parseRelays, parseStatusMap, readState,
} from '../../dist/client';
import { isZeroAnswer, parseAnswer } from '../../dist/client/answer';
import { SAMPLES } from './asterisk-samples';

const CHANNEL_STATES = ['Down', 'Rsrvd', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy', 'Dialing Offhook', 'Pre-ring'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sample = (name: string): string => {
  const s = SAMPLES.find((x) => x.name === name);
  assert.ok(s, name);
  return s.text;
};
const nonBlank = (text: string): string[] => text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
const lineItems = (items: ListItem[]): LineItem[] => items.map((i) => {
  assert.notEqual(i.shape, 'concise', i.raw);
  return i as LineItem;
});

describe('list answers of any shape: real Asterisk output', () => {
  it('reads every concise sample line as a channel, with the fields of its Asterisk version', () => {
    const fieldCounts: Record<string, number> = {
      'concise 1.4 dial': 12, 'concise 1.4 queue via Local': 12, 'concise 1.6': 13, 'concise 1.8/11 dial': 14,
      'concise 1.8/11 queue via Local': 14, 'concise 13 bridge ids': 14, 'concise PJSIP 18': 14,
    };
    for (const s of SAMPLES.filter((x) => x.kind === 'concise')) {
      const items = parseChannels('call_list_all', s.text);
      assert.equal(items.length, nonBlank(s.text).length, s.name);
      items.forEach((item, i) => {
        assert.equal(item.shape, 'concise', `${s.name}: ${item.raw}`);
        const c = item as ConciseChannel;
        assert.equal(c.raw, nonBlank(s.text)[i]);
        assert.equal(c.fieldCount, fieldCounts[s.name], s.name);
        assert.ok(CHANNEL_STATES.includes(c.state), `${s.name}: state ${c.state}`);
        assert.equal(typeof c.duration, 'number', `${s.name}: duration`);
        assert.equal(c.amaFlags, '3', `${s.name}: amaflags of ${c.raw}`);
        assert.ok(c.channel.includes('/') && !c.channel.includes('!'), c.channel);
        assert.ok(c.bridgedTo === null || c.bridgeId === null);
        if (c.fieldCount > 12) assert.match(c.uniqueId, /^\d+\.\d+$/, s.name);
      });
    }
  });

  it('tells a bridged peer (up to Asterisk 11) from a bridge id (12 on)', () => {
    const a14 = parseChannels('x', sample('concise 1.4 dial')) as ConciseChannel[];
    assert.deepEqual(a14.map((c) => c.bridgedTo), [null, null, 'SIP/11-0932e120', 'SIP/8001-094de4d8']);
    assert.deepEqual([a14[0].priority, a14[0].exten, a14[0].data, a14[0].callerId], [2, 's', 'SIP/8001|40|Ttfr', '11']);
    const local = parseChannels('x', sample('concise 1.4 queue via Local')) as ConciseChannel[];
    assert.equal(local[0].extension, '603');
    assert.equal(local[1].bridgedTo, 'Local/603@from-internal-92f4,1');
    const a16 = parseChannels('x', sample('concise 1.6')) as ConciseChannel[];
    assert.deepEqual(a16.map((c) => c.bridgedTo), ['Local/207@sugarsip-ca35;2', 'SIP/Flowroute-00000f59', 'Local/207@sugarsip-ca35;1']);
    assert.equal(a16[2].data, 'Local/207@sugarsip/n,"",tr');
    assert.equal(a16[2].duration, 223);
    const a13 = parseChannels('x', sample('concise 13 bridge ids')) as ConciseChannel[];
    assert.equal(a13[2].bridgeId, 'fafc1c66-83bd-4af0-a14e-35c06098cad6');
    assert.equal(a13[3].bridgeId, a13[2].bridgeId, 'the two legs share the bridge');
    assert.equal(a13[2].bridgedTo, null);
    assert.deepEqual([a13[1].accountCode, a13[1].peerAccount, a13[1].amaFlags], ['3', '3', '3']);
    assert.equal(a13[5].duration, 264290);
    assert.equal(a13[5].extension, '130-IP56Zpb');
    const pjsip = parseChannels('x', sample('concise PJSIP 18')) as ConciseChannel[];
    assert.match(pjsip[0].bridgeId ?? '', UUID);
    assert.deepEqual([pjsip[0].priority, pjsip[1].channel, pjsip[1].extension], [50005, 'Console/dsp', 'dsp']);
  });

  it('reads `queue show` by section: queues, members and callers, no titles', () => {
    for (const parse of [parseQueues, parseAgents, parseChannels]) {
      const a14 = lineItems(parse('x', sample('queue show 1.4')));
      assert.deepEqual(a14.map((i) => [i.shape, i.queue, i.section]), [
        ['queue', '6501', 'queue'], ['member', '6501', 'members'], ['caller', '6501', 'callers'], ['queue', '6500', 'queue'],
      ]);
      assert.deepEqual([a14[0].name, a14[0].calls, a14[0].maxCalls, a14[0].strategy], ['6501', 1, 'unlimited', 'ringall']);
      assert.deepEqual([a14[1].agent, a14[1].state, a14[1].callsTaken], ['Agent/6000', 'Busy', 0]);
      assert.deepEqual([a14[2].position, a14[2].channel, a14[2].wait, a14[2].priority], [1, 'IAX2/6000-453', 3, 0]);
    }
    const a13 = lineItems(parseAgents('agent_list', sample('queue show 13')));
    const members = a13.filter((i) => i.section === 'members');
    assert.deepEqual(members.map((m) => [m.agent, m.memberName, m.state, m.paused === true, m.inCall === true]), [
      ['SIP/105-IPCZncL', 'Agent_428', 'Not in use', true, false],
      ['SIP/137-IPM87rR', 'Agent_461', 'In use', false, true],
      ['SIP/318-IPFJ95b', 'Agent_308', 'Invalid', false, false],
      ['SIP/262-IPJM3GO', undefined, 'Busy', true, false],
    ]);
    assert.deepEqual([members[1].callsTaken, members[1].lastCallSecsAgo, members[1].ringInUse, members[1].membership], [19, 108, false, 'dynamic']);
    const callers = a13.filter((i) => i.section === 'callers');
    assert.deepEqual(callers.map((c) => [c.position, c.channel, c.extension, c.wait]), [
      [1, 'SIP/551120872200-000864df', '551120872200', 150], [10, 'SIP/551120872200-00086344', '551120872200', 221],
    ]);
    assert.deepEqual([a13[0].holdtime, a13[0].talktime, a13[0].completed, a13[0].abandoned], [45, 310, 124, 242]);
  });

  it('reads `queue show` through AMI (every line prefixed "Output: ")', () => {
    const items = lineItems(parseQueues('q_list', sample('queue show 16.23 AMI')));
    assert.equal(items.length, 2);
    assert.equal(items[0].name, 'Queue_11');
    assert.equal(items[0].raw, nonBlank(sample('queue show 16.23 AMI'))[0]);
    assert.deepEqual([items[1].agent, items[1].paused, items[1].pausedSecsAgo, items[1].loginSecsAgo, items[1].state],
      ['SIP/IP-100-CdFaT', true, 2930362, 2930362, 'Not in use']);
  });

  it('reads a member whose state comes from a hint', () => {
    const [m] = lineItems(parseAgents('agent_list', sample('queue member from a hint')));
    assert.deepEqual([m.agent, m.memberName, m.stateInterface, m.state, m.ringInUse], ['Local/1000@from-queue/n', 'D70', 'hint:1000@ext-local', 'Not in use', true]);
  });

  it('reads `core show hints` as extension states, and as list items', () => {
    assert.deepEqual(parseStatusMap('call_status_get', sample('core show hints')), {
      8004: { code: 0, state: 'idle' }, 100: { code: 0, state: 'idle' },
    });
    const [a, b] = lineItems(parseAgents('agent_list', sample('core show hints')));
    assert.deepEqual([a.shape, a.extension, a.context, a.agent, a.state, a.watchers], ['hint', '8004', 'ext-local', 'SIP/8004', 'Idle', 0]);
    assert.equal(b.presence, 'not_set');
  });
});

describe('list answers of any shape: other shapes', () => {
  it('accepts Asterisk state names, device-state texts and codes, in any case', () => {
    const names: Array<[string, number, string]> = [
      ['Idle', 0, 'idle'], ['InUse', 1, 'inuse'], ['Busy', 2, 'busy'], ['Unavailable', 4, 'unavailable'], ['Ringing', 8, 'ringing'],
      ['InUse&Ringing', 9, 'inuse_ringing'], ['Hold', 16, 'hold'], ['InUse&Hold', 17, 'inuse_hold'], ['Unknown', -2, 'unknown'],
      ['Not in use', 0, 'idle'], ['In use', 1, 'inuse'], ['Ring+Inuse', 9, 'inuse_ringing'], ['On Hold', 16, 'hold'], ['Invalid', -1, 'not_found'],
    ];
    for (const [text, code, state] of names) {
      for (const t of [text, text.toUpperCase(), text.toLowerCase()]) {
        assert.deepEqual(readState(t), { code, state }, t);
        for (const sep of [':', '=', ';', ',', '\t', ' ', ' : ']) {
          assert.deepEqual(parseStatusMap('call_status_get', `1001${sep}${t}\r\n`), { 1001: { code, state } }, `1001${sep}${t}`);
        }
      }
    }
    assert.deepEqual(parseStatusMap('call_status_get', 'Extension states:\n1001:Idle\n1002 : 8\n'), {
      1001: { code: 0, state: 'idle' }, 1002: { code: 8, state: 'ringing' },
    }, 'a title line carries no state and is skipped');
  });

  it('reads bare channel names, separated fields and key=value pairs', () => {
    const items = lineItems(parseChannels('q_waiting_list', [
      'SIP/1001-0000003a', 'PJSIP/1001', 'Local/700@queue-0001;1 waiting 0:12', '1;SIP/1002-0000003b;0:40',
      'a\tb\tc', 'x|y', 'p,q', 'channel=SIP/1003-0000003c;position=2', 'something nobody knows',
    ].join('\r\n')));
    assert.deepEqual(items.map((i) => [i.shape, i.channel, i.extension]), [
      ['channel', 'SIP/1001-0000003a', '1001'], ['channel', 'PJSIP/1001', '1001'], ['channel', 'Local/700@queue-0001;1', '700'],
      ['fields', undefined, undefined], ['fields', undefined, undefined], ['fields', undefined, undefined], ['fields', undefined, undefined],
      ['pairs', 'SIP/1003-0000003c', undefined], ['fields', undefined, undefined],
    ]);
    assert.equal(items[2].text, 'waiting 0:12');
    assert.deepEqual(items.slice(3, 7).map((i) => i.fields), [['1', 'SIP/1002-0000003b', '0:40'], ['a', 'b', 'c'], ['x', 'y'], ['p', 'q']]);
    assert.equal(items[7].position, 2);
    assert.deepEqual(items[7].values, { channel: 'SIP/1003-0000003c', position: '2' });
    assert.deepEqual(items[8].fields, ['something nobody knows']);
    const agents = lineItems(parseAgents('agent_list', '1001;Not in use\nagent=SIP/1002;state=Busy\nSIP/1003\n'));
    assert.deepEqual(agents.map((a) => [a.agent, a.state]), [['1001', 'Not in use'], ['SIP/1002', 'Busy'], ['SIP/1003', undefined]]);
    assert.deepEqual(parseRelays('relay_list', 'id=17;name=Door;status=1\n18;Gate;0;extra'), [
      { id: '17', name: 'Door', status: 1, raw: 'id=17;name=Door;status=1' }, { id: '18', name: 'Gate', status: 0, fields: ['extra'], raw: '18;Gate;0;extra' },
    ]);
    assert.deepEqual(parseList('call_record_list', 'a.wav;12345\n'), [{ file: 'a.wav', fields: ['12345'], raw: 'a.wav;12345' }]);
  });

  it('takes a concise line whose application data holds a "!" as one channel', () => {
    const [c] = parseChannels('x', 'SIP/1-00000001!ctx!100!1!Up!Dial!SIP/2,30,!x!1001!!!3!5!!1700000000.1') as ConciseChannel[];
    assert.equal(c.shape, 'concise');
    assert.equal(c.data, 'SIP/2,30,!x');
    assert.equal(c.uniqueId, '1700000000.1');
  });

  it('is an error only where the answer carries no data', () => {
    const isCode = (code: string) => (e: unknown) => e instanceof WebTapiError && e.code === code;
    for (const parse of [parseChannels, parseQueues, parseAgents, parseRelays, parseList]) {
      assert.throws(() => parse('x', '<!DOCTYPE html>\n<html><body>Not Found</body></html>'), isCode('WEBTAPI_BAD_RESPONSE'));
      assert.throws(() => parse('x', '<br />\n<b>Fatal error</b>:  Uncaught Error in /var/www/webtapi.php on line 12<br />'), isCode('WEBTAPI_BAD_RESPONSE'));
      assert.throws(() => parse('x', 'PHP Warning:  mysql_connect(): Access denied in /srv/webtapi.php on line 3'), isCode('WEBTAPI_BAD_RESPONSE'));
      assert.throws(() => parse('x', ' 0 \r\n'), isCode('WEBTAPI_ACTION_FAILED'));
      assert.throws(() => parse('x', 'No such queue: VMX2.'), isCode('WEBTAPI_ACTION_FAILED'));
      assert.equal(parse('x', '"Door" <sip:1001@pbx>;x').length, 1, 'angle brackets in a line are data');
    }
    assert.deepEqual(parseQueues('q_list', 'No queues.\n'), []);
  });
});

describe('list answers of any shape: properties', () => {
  const LIST_ACTIONS = [...ACTIONS.values()].filter((s) => ['channels', 'recordings', 'queues', 'agents', 'relays', 'cameras'].includes(s.answer));
  const TITLE = /^(Members:|Callers:|No Members|No Callers|No queues\.|No such queue: .*|\S+\s+has \d+ calls? \(max [^)]*\).*)$/;
  const token = fc.constantFrom('!', ':', ';', '\t', '|', ',', '=', ' ', '  ', '(', ')', '0', '1', '-1', 'SIP/1001-0000000a', 'Idle', 'a=b', '<', '>', '.');
  const line = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.array(fc.oneof(token, fc.string({ unit: 'grapheme-ascii', maxLength: 6 })), { maxLength: 20 }).map((a) => a.join('')),
  ).map((s) => s.replace(/[\r\n]/g, ''));
  const answer = fc.tuple(
    fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
    fc.constantFrom('', '\n', '\r\n', '\r\n\r\n', ' \n\t\n'),
  ).map(([ls, tail]) => ls.map(([l, end]) => l + end).join('') + tail);

  it('never throws anything but a WebTapiError; one item per non-blank line, raw as received (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...LIST_ACTIONS), answer, (spec, text) => {
      let result: unknown;
      const answer = { status: 200, contentType: 'text/html', body: Buffer.from(text, 'utf8') };
      try {
        result = parseAnswer(spec, answer, {});
      } catch (err) {
        if (!(err instanceof WebTapiError)) throw err;
        return;
      }
      // docs/protocol.md: a bare 0 for a list asked without parameters is an empty list.
      if (isZeroAnswer(spec, answer)) {
        assert.deepEqual(result, []);
        return;
      }
      const lines = nonBlank(text);
      const ami = lines.length > 0 && lines.every((l) => /^\s*Output:/.test(l));
      if (ami || lines.some((l) => TITLE.test(l.trim()))) return;
      assert.ok(Array.isArray(result));
      assert.equal(result.length, lines.length);
      result.forEach((item: { raw: string }, i) => assert.equal(item.raw, lines[i]));
    }), { numRuns: 1500 });
  });

  it('reads any well-formed 14-field line with arbitrary field texts as a concise channel (property)', () => {
    const field = fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => s.replace(/!/g, ''));
    fc.assert(fc.property(fc.stringMatching(/^(SIP|PJSIP|IAX2)\/[0-9]{3,5}-[0-9a-f]{8}$/), field, field, fc.nat(99), fc.nat(100000), (chan, ctx, data, prio, dur) => {
      const raw = [chan, ctx, '100', String(prio), 'Up', 'Dial', data, '1001', '', '', '3', String(dur), '', `${dur}.${prio}`].join('!');
      const [c] = parseChannels('x', raw) as ConciseChannel[];
      assert.equal(c.shape, 'concise');
      assert.deepEqual([c.channel, c.context, c.data, c.priority, c.duration, c.raw], [chan, ctx, data, prio, dur, raw]);
    }), { numRuns: 300 });
  });
});
