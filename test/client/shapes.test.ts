import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACTIONS,
  ConciseChannel,
  LineShape,
  ListItem,
  WebTapiError,
  parseAgents,
  parseCallers,
  parseChannels,
  parseList,
  parseQueues,
  parseRelays,
  parseStatusMap,
  readState,
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
const lineItems = <T extends ListItem>(items: T[]): Array<Exclude<T, ConciseChannel>> =>
  items.map((i) => {
    assert.notEqual(i.shape, 'concise', i.raw);
    return i as Exclude<T, ConciseChannel>;
  });
/** The item, known to be of `shape` (LineItem is a union told apart by `shape`). */
function shaped<T extends ListItem, S extends LineShape>(item: T | undefined, shape: S): Extract<T, { shape: S }> {
  assert.ok(item, `expected a ${shape} line, got none`);
  assert.equal(item.shape, shape, item.raw);
  return item as Extract<T, { shape: S }>;
}
/** A line as the PBX printed it, without AMI's prefix and the indentation. */
const stripped = (raw: string): string => raw.replace(/^\s*Output:\s?/, '').trim();
const answerOf = (text: string) => ({ status: 200, contentType: 'text/plain', body: Buffer.from(text, 'utf8') });

describe('list answers of any shape: real Asterisk output', () => {
  it('reads every concise sample line as a channel, with the fields of its Asterisk version', () => {
    const fieldCounts: Record<string, number> = {
      'concise 1.4 dial': 12,
      'concise 1.4 queue via Local': 12,
      'concise 1.6': 13,
      'concise 1.8/11 dial': 14,
      'concise 1.8/11 queue via Local': 14,
      'concise 13 bridge ids': 14,
      'concise PJSIP 18': 14,
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
    assert.deepEqual(
      a14.map((c) => c.bridgedTo),
      [null, null, 'SIP/11-0932e120', 'SIP/8001-094de4d8'],
    );
    assert.deepEqual([a14[0].priority, a14[0].exten, a14[0].data, a14[0].callerId], [2, 's', 'SIP/8001|40|Ttfr', '11']);
    const local = parseChannels('x', sample('concise 1.4 queue via Local')) as ConciseChannel[];
    assert.equal(local[0].extension, '603');
    assert.equal(local[1].bridgedTo, 'Local/603@from-internal-92f4,1');
    const a16 = parseChannels('x', sample('concise 1.6')) as ConciseChannel[];
    assert.deepEqual(
      a16.map((c) => c.bridgedTo),
      ['Local/207@sugarsip-ca35;2', 'SIP/Flowroute-00000f59', 'Local/207@sugarsip-ca35;1'],
    );
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

  it('reads `queue show` by section: q_list gives the queues, agent_list the members, q_waiting_list the callers', () => {
    const text = sample('queue show 1.4');
    const raw = nonBlank(text);
    const parsed = (action: string) => lineItems(parseAnswer(ACTIONS.get(action)!, answerOf(text), { q_name: '6501' }) as ListItem[]);
    assert.deepEqual(
      parsed('q_list').map((i) => [i.shape, i.queue, i.section, i.raw]),
      [
        ['queue', '6501', 'queue', raw[0]],
        ['queue', '6500', 'queue', raw[5]],
      ],
    );
    assert.deepEqual(
      parsed('agent_list').map((i) => [i.shape, i.queue, i.section, i.raw]),
      [['member', '6501', 'members', raw[2]]],
    );
    assert.deepEqual(
      parsed('q_waiting_list').map((i) => [i.shape, i.queue, i.section, i.raw]),
      [['caller', '6501', 'callers', raw[4]]],
    );
    const [q] = parseQueues('q_list', text).map((i) => shaped(i, 'queue'));
    assert.deepEqual([q.name, q.calls, q.maxCalls, q.strategy], ['6501', 1, 'unlimited', 'ringall']);
    const [m] = parseAgents('agent_list', text).map((i) => shaped(i, 'member'));
    assert.deepEqual([m.agent, m.state, m.callsTaken], ['Agent/6000', 'Busy', 0]);
    const [c] = parseCallers('q_waiting_list', text).map((i) => shaped(i, 'caller'));
    assert.deepEqual([c.position, c.channel, c.wait, c.priority], [1, 'IAX2/6000-453', 3, 0]);
  });

  it('a channel list other than the waiting callers (q_call_list) keeps every section of a `queue show` answer', () => {
    const items = lineItems(parseChannels('q_call_list', sample('queue show 1.4')));
    assert.deepEqual(
      items.map((i) => [i.shape, i.queue, i.section]),
      [
        ['queue', '6501', 'queue'],
        ['member', '6501', 'members'],
        ['caller', '6501', 'callers'],
        ['queue', '6500', 'queue'],
      ],
    );
  });

  it('reads the members and callers of Asterisk 13, each in its own list', () => {
    const text = sample('queue show 13');
    const members = parseAgents('agent_list', text).map((i) => shaped(i, 'member'));
    assert.ok(members.every((m) => m.section === 'members' && m.queue === 'Queue_110'));
    assert.deepEqual(
      members.map((m) => [m.agent, m.memberName, m.state, m.paused === true, m.inCall === true]),
      [
        ['SIP/105-IPCZncL', 'Agent_428', 'Not in use', true, false],
        ['SIP/137-IPM87rR', 'Agent_461', 'In use', false, true],
        ['SIP/318-IPFJ95b', 'Agent_308', 'Invalid', false, false],
        ['SIP/262-IPJM3GO', undefined, 'Busy', true, false],
      ],
    );
    assert.deepEqual(
      [members[1].callsTaken, members[1].lastCallSecsAgo, members[1].ringInUse, members[1].membership],
      [19, 108, false, 'dynamic'],
    );
    const callers = parseCallers('q_waiting_list', text).map((i) => shaped(i, 'caller'));
    assert.ok(callers.every((c) => c.section === 'callers' && c.queue === 'Queue_110'));
    assert.deepEqual(
      callers.map((c) => [c.position, c.channel, c.extension, c.wait]),
      [
        [1, 'SIP/551120872200-000864df', '551120872200', 150],
        [10, 'SIP/551120872200-00086344', '551120872200', 221],
      ],
    );
    const queues = parseQueues('q_list', text).map((i) => shaped(i, 'queue'));
    assert.equal(queues.length, 1);
    assert.deepEqual([queues[0].holdtime, queues[0].talktime, queues[0].completed, queues[0].abandoned], [45, 310, 124, 242]);
  });

  it('reads `queue show` through AMI (every line prefixed "Output: ")', () => {
    const text = sample('queue show 16.23 AMI');
    const [q, ...moreQueues] = parseQueues('q_list', text).map((i) => shaped(i, 'queue'));
    assert.deepEqual(moreQueues, []);
    assert.equal(q.name, 'Queue_11');
    assert.equal(q.raw, nonBlank(text)[0]);
    const [m, ...moreMembers] = parseAgents('agent_list', text).map((i) => shaped(i, 'member'));
    assert.deepEqual(moreMembers, []);
    assert.deepEqual(
      [m.agent, m.paused, m.pausedSecsAgo, m.loginSecsAgo, m.state, m.queue, m.section],
      ['SIP/IP-100-CdFaT', true, 2930362, 2930362, 'Not in use', 'Queue_11', 'members'],
    );
    assert.deepEqual(parseCallers('q_waiting_list', text), [], 'No Callers: no items');
  });

  it('reads a member whose state comes from a hint', () => {
    const m = shaped(parseAgents('agent_list', sample('queue member from a hint'))[0], 'member');
    assert.deepEqual(
      [m.agent, m.memberName, m.stateInterface, m.state, m.ringInUse],
      ['Local/1000@from-queue/n', 'D70', 'hint:1000@ext-local', 'Not in use', true],
    );
  });

  it('reads `core show hints` as extension states, and as list items', () => {
    assert.deepEqual(parseStatusMap('call_status_get', sample('core show hints')), {
      8004: { code: 0, state: 'idle' },
      100: { code: 0, state: 'idle' },
    });
    const [a, b] = parseAgents('agent_list', sample('core show hints'));
    const hint = shaped(a, 'hint');
    assert.deepEqual([hint.extension, hint.context, hint.agent, hint.state, hint.watchers], ['8004', 'ext-local', 'SIP/8004', 'Idle', 0]);
    assert.equal(shaped(b, 'hint').presence, 'not_set');
  });
});

describe('list answers of any shape: other shapes', () => {
  it('reads a bare 0 for every list asked without parameters as the empty list (docs/protocol.md), recordings included', () => {
    const lists = [...ACTIONS.values()].filter(
      (s) => Object.keys(s.params).length === 0 && ['channels', 'recordings', 'queues', 'relays', 'cameras'].includes(s.answer),
    );
    assert.ok(lists.some((s) => s.name === 'call_record_list'));
    for (const spec of lists) {
      const answer = { status: 200, contentType: 'text/html', body: Buffer.from('0\n') };
      assert.deepEqual(parseAnswer(spec, answer, {}), [], spec.name);
    }
  });

  it('accepts Asterisk state names, device-state texts and codes, in any case', () => {
    const names: Array<[string, number, string]> = [
      ['Idle', 0, 'idle'],
      ['InUse', 1, 'inuse'],
      ['Busy', 2, 'busy'],
      ['Unavailable', 4, 'unavailable'],
      ['Ringing', 8, 'ringing'],
      ['InUse&Ringing', 9, 'inuse_ringing'],
      ['Hold', 16, 'hold'],
      ['InUse&Hold', 17, 'inuse_hold'],
      ['Unknown', -2, 'unknown'],
      ['Not in use', 0, 'idle'],
      ['In use', 1, 'inuse'],
      ['Ring+Inuse', 9, 'inuse_ringing'],
      ['On Hold', 16, 'hold'],
      ['Invalid', -1, 'not_found'],
    ];
    for (const [text, code, state] of names) {
      for (const t of [text, text.toUpperCase(), text.toLowerCase()]) {
        assert.deepEqual(readState(t), { code, state }, t);
        for (const sep of [':', '=', ';', ',', '\t', ' ', ' : ']) {
          assert.deepEqual(parseStatusMap('call_status_get', `1001${sep}${t}\r\n`), { 1001: { code, state } }, `1001${sep}${t}`);
        }
      }
    }
    assert.deepEqual(
      parseStatusMap('call_status_get', 'Extension states:\n1001:Idle\n1002 : 8\n'),
      {
        1001: { code: 0, state: 'idle' },
        1002: { code: 8, state: 'ringing' },
      },
      'a title line carries no state and is skipped',
    );
  });

  it('reads bare channel names, separated fields and key=value pairs', () => {
    const items = lineItems(
      parseChannels(
        'q_waiting_list',
        [
          'SIP/1001-0000003a',
          'PJSIP/1001',
          'Local/700@queue-0001;1 waiting 0:12',
          '1;SIP/1002-0000003b;0:40',
          'a\tb\tc',
          'x|y',
          'p,q',
          'channel=SIP/1003-0000003c;position=2',
          'something nobody knows',
        ].join('\r\n'),
      ),
    );
    assert.deepEqual(
      items.map((i) => [i.shape, i.channel, i.extension]),
      [
        ['channel', 'SIP/1001-0000003a', '1001'],
        ['channel', 'PJSIP/1001', '1001'],
        ['channel', 'Local/700@queue-0001;1', '700'],
        ['fields', undefined, undefined],
        ['fields', undefined, undefined],
        ['fields', undefined, undefined],
        ['fields', undefined, undefined],
        ['pairs', 'SIP/1003-0000003c', undefined],
        ['fields', undefined, undefined],
      ],
    );
    assert.equal(shaped(items[2], 'channel').text, 'waiting 0:12');
    assert.deepEqual(
      items.slice(3, 7).map((i) => shaped(i, 'fields').fields),
      [
        ['1', 'SIP/1002-0000003b', '0:40'],
        ['a', 'b', 'c'],
        ['x', 'y'],
        ['p', 'q'],
      ],
    );
    assert.equal(items[7].position, 2);
    assert.deepEqual(shaped(items[7], 'pairs').values, { channel: 'SIP/1003-0000003c', position: '2' });
    assert.deepEqual(shaped(items[8], 'fields').fields, ['something nobody knows']);
    const agents = lineItems(parseAgents('agent_list', '1001;Not in use\nagent=SIP/1002;state=Busy\nSIP/1003\n'));
    assert.deepEqual(
      agents.map((a) => [a.agent, a.state]),
      [
        ['1001', 'Not in use'],
        ['SIP/1002', 'Busy'],
        ['SIP/1003', undefined],
      ],
    );
    assert.deepEqual(parseRelays('relay_list', 'id=17;name=Door;status=1\n18;Gate;0;extra'), [
      { id: '17', name: 'Door', status: 1, raw: 'id=17;name=Door;status=1' },
      { id: '18', name: 'Gate', status: 0, fields: ['extra'], raw: '18;Gate;0;extra' },
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
    for (const parse of [parseChannels, parseCallers, parseQueues, parseAgents, parseRelays, parseList]) {
      assert.throws(() => parse('x', '<!DOCTYPE html>\n<html><body>Not Found</body></html>'), isCode('WEBTAPI_BAD_RESPONSE'));
      assert.throws(
        () => parse('x', '<br />\n<b>Fatal error</b>:  Uncaught Error in /var/www/webtapi.php on line 12<br />'),
        isCode('WEBTAPI_BAD_RESPONSE'),
      );
      assert.throws(
        () => parse('x', 'PHP Warning:  mysql_connect(): Access denied in /srv/webtapi.php on line 3'),
        isCode('WEBTAPI_BAD_RESPONSE'),
      );
      assert.throws(() => parse('x', ' 0 \r\n'), isCode('WEBTAPI_ACTION_FAILED'));
      assert.throws(() => parse('x', 'No such queue: VMX2.'), isCode('WEBTAPI_ACTION_FAILED'));
      assert.equal(parse('x', '"Door" <sip:1001@pbx>;x').length, 1, 'angle brackets in a line are data');
    }
    assert.deepEqual(parseQueues('q_list', 'No queues.\n'), []);
  });
});

describe('list answers of any shape: properties', () => {
  const LIST_ACTIONS = [...ACTIONS.values()].filter((s) =>
    ['channels', 'callers', 'recordings', 'queues', 'agents', 'relays', 'cameras'].includes(s.answer),
  );
  const TITLE = /^(Members:|Callers:|No Members|No Callers|No queues\.|No such queue: .*|\S+\s+has \d+ calls? \(max [^)]*\).*)$/;
  const token = fc.constantFrom(
    '!',
    ':',
    ';',
    '\t',
    '|',
    ',',
    '=',
    ' ',
    '  ',
    '(',
    ')',
    '0',
    '1',
    '-1',
    'SIP/1001-0000000a',
    'Idle',
    'a=b',
    '<',
    '>',
    '.',
  );
  const line = fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc.array(fc.oneof(token, fc.string({ unit: 'grapheme-ascii', maxLength: 6 })), { maxLength: 20 }).map((a) => a.join('')),
    )
    .map((s) => s.replace(/[\r\n]/g, ''));
  const answer = fc
    .tuple(
      fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
      fc.constantFrom('', '\n', '\r\n', '\r\n\r\n', ' \n\t\n'),
    )
    .map(([ls, tail]) => ls.map(([l, end]) => l + end).join('') + tail);

  it('never throws anything but a WebTapiError; one item per non-blank line, raw as received (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LIST_ACTIONS), answer, (spec, text) => {
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
      }),
      { numRuns: 1500 },
    );
  });

  it('gives of any `queue show` answer each list its own section: queues, members, callers, with queue and raw (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
    const header = fc
      .tuple(name, fc.nat(20), fc.constantFrom('unlimited', '10'), fc.constantFrom('', '        '))
      .map(([n, calls, max, pad]) => ({
        name: n,
        line: `${n}${pad} has ${calls} calls (max ${max}) in 'ringall' strategy (0s holdtime), W:0, C:0, A:0, SL:0.0% within 0s`,
      }));
    const memberLine = fc.constantFrom(
      'Agent/6000 (Busy) has taken no calls yet',
      'Agent_461 (SIP/137-IPM87rR) (ringinuse disabled) (dynamic) (in call) (In use) has taken 19 calls (last was 108 secs ago)',
      'SIP/262-IPJM3GO (ringinuse disabled) (paused) (Busy) has taken no calls yet',
      'D70 (Local/1000@from-queue/n from hint:1000@ext-local) (Not in use) has taken no calls yet',
    );
    const callerLine = fc
      .tuple(fc.integer({ min: 1, max: 99 }), fc.stringMatching(/^(SIP|IAX2|PJSIP)\/[0-9]{3,6}-[0-9a-f]{8}$/))
      .map(([pos, chan]) => `${pos}. ${chan} (wait: 0:${pos % 60}, prio: 0)`);
    // Lines no recogniser knows are data of the section they stand in (no `!`: not a concise channel).
    const oddLine = fc
      .stringMatching(/^[A-Za-z0-9 ;=|,.:()/-]{1,30}$/)
      .filter((l) => l.trim() !== '' && !TITLE.test(l.trim()) && !/^\s*Output:/.test(l));
    const section = (title: string, none: string, line: fc.Arbitrary<string>) =>
      fc
        .array(fc.oneof({ weight: 4, arbitrary: line }, { weight: 1, arbitrary: oddLine }), { maxLength: 4 })
        .map((lines) => ({ lines, text: lines.length > 0 ? [`   ${title} `, ...lines.map((l) => `      ${l}`)] : [`   ${none}`] }));
    const queue = fc.record({
      header,
      members: section('Members:', 'No Members', memberLine),
      callers: section('Callers:', 'No Callers', callerLine),
    });
    fc.assert(
      fc.property(fc.array(queue, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom('\n', '\r\n'), (queues, ami, eol) => {
        const out: string[] = [];
        for (const q of queues) out.push(q.header.line, ...q.members.text, ...q.callers.text, '');
        const text = out.map((l) => (ami ? `Output: ${l}` : l)).join(eol);
        const expect = (pick: (q: (typeof queues)[number]) => string[]) =>
          queues.flatMap((q) => pick(q).map((raw) => [q.header.name, raw.trim()]));
        const read = (action: string, sectionName: string) => {
          const items = parseAnswer(ACTIONS.get(action)!, answerOf(text), { q_name: 'x' }) as ListItem[];
          return items.map((i) => {
            assert.ok(
              i.shape !== 'concise' && i.section === sectionName,
              `${action}: ${i.raw} is of ${i.shape === 'concise' ? 'no' : i.section} section`,
            );
            return [i.queue, stripped(i.raw)];
          });
        };
        assert.deepEqual(
          read('q_list', 'queue'),
          expect((q) => [q.header.line]),
        );
        assert.deepEqual(
          read('agent_list', 'members'),
          expect((q) => q.members.lines),
        );
        assert.deepEqual(
          read('q_waiting_list', 'callers'),
          expect((q) => q.callers.lines),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('reads any well-formed 14-field line with arbitrary field texts as a concise channel (property)', () => {
    const field = fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => s.replace(/!/g, ''));
    fc.assert(
      fc.property(
        fc.stringMatching(/^(SIP|PJSIP|IAX2)\/[0-9]{3,5}-[0-9a-f]{8}$/),
        field,
        field,
        fc.nat(99),
        fc.nat(100000),
        (chan, ctx, data, prio, dur) => {
          const raw = [chan, ctx, '100', String(prio), 'Up', 'Dial', data, '1001', '', '', '3', String(dur), '', `${dur}.${prio}`].join(
            '!',
          );
          const [c] = parseChannels('x', raw) as ConciseChannel[];
          assert.equal(c.shape, 'concise');
          assert.deepEqual([c.channel, c.context, c.data, c.priority, c.duration, c.raw], [chan, ctx, data, prio, dur, raw]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
