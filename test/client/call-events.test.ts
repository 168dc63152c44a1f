import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CallTracker,
  callEvents,
  dialTargets,
  groupCalls,
  parseChannelLine,
  type CallChannel,
  type CallEvent,
  type MonitorEvent,
} from '../../dist/client';

/**
 * Asterisk's own lines (shared/reference/asterisk-output-samples.md), turned into poll sequences.
 * Where a sample shows only one moment, the other moments are written in the same version's shape.
 */

const parse = (text: string): CallChannel[] =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => parseChannelLine('call_list_all', l));

const T0 = Date.parse('2026-01-01T12:00:00Z');
const at = (s: number): number => T0 + s * 1000;

/** Polls at 0 s (nothing), then one list per given second. */
function run(steps: Array<[number, string]>, extensions: string[] | null = null): CallEvent[] {
  return callEvents([{ at: at(0), channels: [] }, ...steps.map(([s, text]) => ({ at: at(s), channels: parse(text) }))], {
    extensions,
  }) as CallEvent[];
}

/** What must not depend on the Asterisk version. */
const essence = (events: CallEvent[]) =>
  events.map((e) => [e.event, e.extension, e.direction, e.caller.number, e.called.number, e.answered, e.ringSeconds, e.talkSeconds]);

/** 106 calls 105 (both watched): the channel lists by second, then none at 8 s. */
const internalCall = (lists: Record<number, string>): CallEvent[] =>
  run([...Object.entries(lists).map(([s, text]): [number, string] => [Number(s), text]), [8, '']], ['105', '106']);

const INTERNAL_106_TO_105 = [
  ['call', '106', 'out', '106', '105', false, 0, 0],
  ['ring', '105', 'in', '106', '105', false, 0, 0],
  ['connect', '106', 'out', '106', '105', true, 2, 0],
  ['connect', '105', 'in', '106', '105', true, 2, 0],
  ['disconnect', '106', 'out', '106', '105', true, 2, 5],
  ['disconnect', '105', 'in', '106', '105', true, 2, 5],
];

/** 1.8/11: ringing, then bridged on new channels (peer names). */
const INTERNAL_18 = {
  1: `SIP/106-00000177!macro-dial-one!s!44!Ring!Dial!SIP/105&SIP/99105,20,TtrI!106!!!3!7!(None)!1435996531.5869
      SIP/105-00000178!from-internal!105!1!Ringing!AppDial!(Outgoing Line)!105!!!3!7!(None)!1435996531.5870`,
  3: `SIP/106-00000179!macro-dial-one!s!44!Up!Dial!SIP/105&SIP/99105,20,TtrI!106!!!3!9!SIP/105-0000017a!1435996552.5871
      SIP/105-0000017a!from-internal!!1!Up!AppDial!(Outgoing Line)!105!!!3!9!SIP/106-00000179!1435996553.5872`,
};

/** 1.8: queue 401 offers 8004's call to agent 8003 through the Local/8003@from-queue ;1/;2 pair. */
const QUEUE_18_OFFER = `SIP/8004-000000aa!from-internal!401!10!Up!Queue!401,t,,,30!8004!!!3!1!(None)!1441604412.206
  Local/8003@from-queue-00000012;1!from-queue!401!1!Ringing!AppQueue!(Outgoing Line)!8003!!!3!0!(None)!1441604413.207
  Local/8003@from-queue-00000012;2!macro-dial-one!s!37!Ring!Dial!SIP/8003,"",trM(auto-blkvm)!8004!!!3!0!(None)!1441604413.208
  SIP/8003-000000ab!from-internal!8003!1!Ringing!AppDial!(Outgoing Line)!8003!!!3!0!(None)!1441604413.209`;

/** 1002 talking to 1001 (call id 1.1). */
const TALKING_1002_1001 = `SIP/1002-00000001!from-internal!1001!1!Up!Dial!SIP/1001,30!1002!!!3!0!SIP/1001-00000002!1.1
  SIP/1001-00000002!from-internal!1001!1!Up!AppDial!(Outgoing Line)!1001!!!3!0!SIP/1002-00000001!1.2`;

describe('call events from channel lists', () => {
  describe('one internal call, the same events from every Asterisk shape', () => {
    it('1.8/11: ringing, then bridged on new channels (peer names), then gone', () => {
      const events = internalCall(INTERNAL_18);
      assert.deepEqual(essence(events), INTERNAL_106_TO_105);
      assert.ok(
        events.every((e) => e.callId === '1435996531.5869'),
        'one call id, though the answered legs are new channels',
      );
      const connect = events.find((e) => e.event === 'connect' && e.extension === '105')!;
      assert.equal(connect.channel, 'SIP/105-0000017a');
      assert.equal(connect.peerChannel, 'SIP/106-00000179');
      assert.equal(events[1].peerChannel, null, 'no peer while ringing');
      assert.deepEqual(
        [events[5].startedAt, events[5].answeredAt, events[5].endedAt],
        ['2026-01-01T12:00:01.000Z', '2026-01-01T12:00:03.000Z', '2026-01-01T12:00:08.000Z'],
      );
    });

    it('1.4: 12 fields, `|` in the Dial data, the answered callee shown as "Bridged Call"', () => {
      const events = internalCall({
        1: `SIP/106-0932cb90!macro-stdexten_nos!s!2!Ring!Dial!SIP/105|40|Ttfr!106!!3!4!(None)
             SIP/105-0932e3c0!co_outbound!105!1!Ringing!AppDial!(Outgoing Line)!105!!3!4!(None)`,
        3: `SIP/105-094de4d8!co_outbound!!1!Up!Bridged Call!SIP/106-0932e120!105!!3!6!SIP/106-0932e120
             SIP/106-0932e120!macro-stdexten_nos!s!2!Up!Dial!SIP/105|40|Ttfr!106!!3!6!SIP/105-094de4d8`,
      });
      assert.deepEqual(essence(events), INTERNAL_106_TO_105);
      assert.equal(events[0].callId, 'SIP/106-0932cb90', 'no unique id in 1.4: the channel name');
    });

    it('13: bridge ids, the callee Down before Ringing, device names that are not the number', () => {
      const events = internalCall({
        1: `SIP/IP-106-Q14V2-00000001!macro-externa!s!22!Ring!Dial!SIP/IP-105-QPQGE/105,90,TtM(saida)!106!3!!3!2!!1740760337.1
             SIP/IP-105-QPQGE-00000002!C_1_ENT!105!1!Down!AppDial!(Outgoing Line)!105!3!3!3!2!!1740760337.2`,
        2: `SIP/IP-106-Q14V2-00000001!macro-externa!s!22!Ring!Dial!SIP/IP-105-QPQGE/105,90,TtM(saida)!106!3!!3!2!!1740760337.1
             SIP/IP-105-QPQGE-00000002!C_1_ENT!105!1!Ringing!AppDial!(Outgoing Line)!105!3!3!3!2!!1740760337.2`,
        3: `SIP/IP-106-Q14V2-00000001!macro-externa!s!22!Up!Dial!SIP/IP-105-QPQGE/105,90,TtM(saida)!106!3!!3!4!fafc1c66-83bd-4af0-a14e-35c06098cad6!1740760337.1
             SIP/IP-105-QPQGE-00000002!C_1_ENT!105!1!Up!AppDial!(Outgoing Line)!105!3!3!3!4!fafc1c66-83bd-4af0-a14e-35c06098cad6!1740760337.2`,
      });
      assert.deepEqual(essence(events), INTERNAL_106_TO_105);
      assert.equal(events[3].peerChannel, 'SIP/IP-106-Q14V2-00000001', 'the peer found through the bridge id');
    });

    it('PJSIP (18): the same channels throughout, bridge ids', () => {
      const events = internalCall({
        1: `PJSIP/106-00000000!demo!105!50005!Ring!Dial!PJSIP/105,20!106!!!3!1!!1616987975.0
             PJSIP/105-00000001!default!!1!Ringing!AppDial!(Outgoing Line)!105!!!3!1!!1616987975.1`,
        3: `PJSIP/106-00000000!demo!105!50005!Up!Dial!PJSIP/105,20!106!!!3!13!df20e970-d58e-476c-8738-24f345bfd190!1616987975.0
             PJSIP/105-00000001!default!!1!Up!AppDial!(Outgoing Line)!105!!!3!13!df20e970-d58e-476c-8738-24f345bfd190!1616987975.1`,
      });
      assert.deepEqual(essence(events), INTERNAL_106_TO_105);
    });
  });

  describe('queue calls, through Local ;1/;2 pairs (1.8) or straight to the agent (13)', () => {
    const QUEUE_EVENTS = [
      ['call', '8004', 'out', '8004', '401', false, 0, 0],
      ['ring', '8003', 'in', '8004', '401', false, 0, 0],
      ['connect', '8004', 'out', '8004', '401', true, 2, 0],
      ['connect', '8003', 'in', '8004', '401', true, 1, 0],
      ['disconnect', '8004', 'out', '8004', '401', true, 2, 4],
      ['disconnect', '8003', 'in', '8004', '401', true, 1, 4],
    ];

    it('1.8: the agent rings through Local/8003@from-queue;2, the caller is bridged to ;1', () => {
      const events = run(
        [
          [1, 'SIP/8004-000000aa!from-internal!401!10!Up!Queue!401,t,,,30!8004!!!3!0!(None)!1441604412.206'],
          [2, QUEUE_18_OFFER],
          [
            3,
            `SIP/8004-000000aa!from-internal!401!10!Up!Queue!401,t,,,30!8004!!!3!21!Local/8003@from-queue-00000012;1!1441604412.206
             Local/8003@from-queue-00000012;1!from-queue!401!1!Up!AppQueue!(Outgoing Line)!8003!!!3!21!SIP/8004-000000aa!1441604413.207
             Local/8003@from-queue-00000012;2!macro-dial-one!s!37!Up!Dial!SIP/8003,"",trM(auto-blkvm)!8004!!!3!21!SIP/8003-000000ab!1441604413.208
             SIP/8003-000000ab!from-internal!8003!1!Up!AppDial!(Outgoing Line)!8003!!!3!1!Local/8003@from-queue-00000012;2!1441604413.209`,
          ],
          [7, ''],
        ],
        ['8003', '8004'],
      );
      assert.deepEqual(essence(events), QUEUE_EVENTS);
      assert.ok(events.every((e) => e.queue === '401' && e.callId === '1441604412.206'));
      assert.equal(
        events.find((e) => e.event === 'connect' && e.extension === '8003')!.peerChannel,
        'SIP/8004-000000aa',
        'the peer behind the Local pair',
      );
    });

    it('13: the agent channel itself runs AppQueue; bridge ids', () => {
      const events = run(
        [
          [1, 'SIP/IP-8004-X-00000001!from-internal!401!13!Up!Queue!401,tk,,,180!8004!1!!3!0!!1744055691.1'],
          [
            2,
            `SIP/IP-8004-X-00000001!from-internal!401!13!Up!Queue!401,tk,,,180!8004!1!!3!1!!1744055691.1
             SIP/8003-IPF8nR3-000864dd!CONTEXT_2!401!1!Ringing!AppQueue!(Outgoing Line)!8003!!1!3!0!!1744055749.2`,
          ],
          [
            3,
            `SIP/IP-8004-X-00000001!from-internal!401!13!Up!Queue!401,tk,,,180!8004!1!!3!2!fafc1c66-83bd-4af0-a14e-35c06098cad6!1744055691.1
             SIP/8003-IPF8nR3-000864dd!CONTEXT_2!401!1!Up!AppQueue!(Outgoing Line)!8003!!1!3!1!fafc1c66-83bd-4af0-a14e-35c06098cad6!1744055749.2`,
          ],
          [7, ''],
        ],
        ['8003', '8004'],
      );
      assert.deepEqual(essence(events), QUEUE_EVENTS);
    });
  });

  it('a queue offer belongs to the caller whose number the Local ;2 half carries, not to the longest waiting one', () => {
    const [first, offered] = groupCalls(
      parse(`SIP/trunk-00000001!from-trunk!401!1!Up!Queue!401,t!0891111!!!3!90!(None)!1.1
      SIP/trunk-00000002!from-trunk!401!1!Up!Queue!401,t!0892222!!!3!5!(None)!1.2
      Local/8003@from-queue-00000012;1!from-queue!401!1!Ringing!AppQueue!(Outgoing Line)!8003!!!3!0!(None)!1.3
      Local/8003@from-queue-00000012;2!from-queue!8003!1!Ring!Dial!SIP/8003,,tr!0892222!!!3!0!(None)!1.4
      SIP/8003-00000013!from-internal!8003!1!Ringing!AppDial!(Outgoing Line)!8003!!!3!0!(None)!1.5`),
    );
    assert.deepEqual(first.channels, ['SIP/trunk-00000001']);
    assert.deepEqual([offered.origin!.number, offered.parties[1].number, offered.queue], ['0892222', '8003', '401']);
  });

  it("a missed outside call: the name from the document's 13-field layout, answered false, ring time to the end", () => {
    const events = run([
      [
        1,
        `SIP/trunk-00000030!from-trunk!1002!Ring!Dial!SIP/1002,60,tT!+4930123456!Erika Muster!!3!0!(None)!1700000000.1
           SIP/1002-00000031!from-internal!1002!Ringing!AppDial!(Outgoing Line)!1002!1002!1002!3!0!(None)!1700000000.2`,
      ],
      [9, ''],
    ]);
    assert.deepEqual(
      events.map((e) => [e.event, e.extension, e.direction]),
      [
        ['ring', '1002', 'in'],
        ['disconnect', '1002', 'in'],
      ],
    );
    assert.deepEqual(events[1].caller, { number: '+4930123456', name: 'Erika Muster', channel: 'SIP/trunk-00000030' });
    assert.deepEqual([events[1].answered, events[1].ringSeconds, events[1].talkSeconds, events[1].answeredAt], [false, 8, 0, null]);
  });

  describe("caller.channel: the calling party's own channel, which a caller id cannot fake", () => {
    const DOOR = `SIP/1009-000000b0!from-internal!1001!1!Ring!Dial!SIP/1001,30,tT!1009!!!3!0!(None)!1700000100.1
                  SIP/1001-000000b1!from-internal!1001!1!Ringing!AppDial!(Outgoing Line)!1001!!!3!0!(None)!1700000100.2`;
    const SPOOFED = `SIP/trunk-000000c0!from-trunk!1001!1!Ring!Dial!SIP/1001,60,tT!1009!!!3!0!(None)!1700000200.1
                     SIP/1001-000000c1!from-internal!1001!1!Ringing!AppDial!(Outgoing Line)!1001!!!3!0!(None)!1700000200.2`;

    it("the door station's ring carries SIP/1009-…; a trunk call whose caller id is 1009 carries the trunk's channel", () => {
      const [door] = run([[1, DOOR]], ['1001']);
      const [spoofed] = run([[1, SPOOFED]], ['1001']);
      assert.deepEqual([door.event, door.caller], ['ring', { number: '1009', name: null, channel: 'SIP/1009-000000b0' }]);
      assert.deepEqual([spoofed.event, spoofed.caller], ['ring', { number: '1009', name: null, channel: 'SIP/trunk-000000c0' }]);
      assert.equal(door.channel, 'SIP/1001-000000b1', "channel stays the watched extension's");
    });

    it("the same on every event of the call, the outgoing side's own channel for `call`; the queue caller behind a Local pair", () => {
      const internal = internalCall(INTERNAL_18);
      assert.deepEqual(
        internal.map((e) => [e.event, e.extension, e.caller.channel]),
        [
          ['call', '106', 'SIP/106-00000177'],
          ['ring', '105', 'SIP/106-00000177'],
          ['connect', '106', 'SIP/106-00000179'],
          ['connect', '105', 'SIP/106-00000179'],
          ['disconnect', '106', 'SIP/106-00000179'],
          ['disconnect', '105', 'SIP/106-00000179'],
        ],
      );
      const queued = run([[2, QUEUE_18_OFFER]], ['8003']);
      assert.deepEqual(
        queued.map((e) => [e.event, e.caller.channel]),
        [['ring', 'SIP/8004-000000aa']],
      );
    });

    it('null where the list shows no calling channel (only the ringing leg)', () => {
      const [ring] = run(
        [[1, 'SIP/1001-000000d1!from-internal!1001!1!Ringing!AppDial!(Outgoing Line)!1001!!!3!0!(None)!1700000300.2']],
        ['1001'],
      );
      assert.deepEqual([ring.event, ring.caller.channel], ['ring', null]);
    });
  });

  it('"Name" <number> caller ids give both parts', () => {
    const [g] = groupCalls(parse('SIP/trunk-00000030!from-trunk!1002!1!Ring!Dial!SIP/1002!"Max Mustermann" <+49301>!!!3!0!(None)!1.1'));
    assert.deepEqual([g.origin!.number, g.origin!.name], ['+49301', 'Max Mustermann']);
  });

  it('every extension by default: phones whose channel is their number, never trunks', () => {
    const events = run([
      [
        1,
        `SIP/trunk-00000030!from-trunk!1002!1!Ring!Dial!SIP/1002,60!+4930123456!!!3!0!(None)!1.1
                              SIP/1002-00000031!from-internal!1002!1!Ringing!AppDial!(Outgoing Line)!1002!!!3!0!(None)!1.2`,
      ],
    ]);
    assert.deepEqual(
      events.map((e) => e.extension),
      ['1002'],
    );
  });

  it('calls already in progress at the first list are followed but never reported', () => {
    const ringing = `SIP/1009-00000001!from-internal!1001!1!Ring!Dial!SIP/1001,30!1009!!!3!0!(None)!1.1
                     SIP/1001-00000002!from-internal!1001!1!Ringing!AppDial!(Outgoing Line)!1001!!!3!0!(None)!1.2`;
    const tracker = new CallTracker({ extensions: ['1001'] });
    assert.deepEqual(tracker.update(parse(ringing), at(0)), []);
    assert.equal(tracker.inProgress, 1);
    assert.deepEqual(tracker.update([], at(5)), []);
    assert.equal(tracker.inProgress, 0);
  });

  it('two calls at once on one extension: each its own call id and events', () => {
    const events = run(
      [
        [1, TALKING_1002_1001],
        [
          2,
          `${TALKING_1002_1001}
           SIP/1003-00000003!from-internal!1001!1!Ring!Dial!SIP/1001,30!1003!!!3!0!(None)!1.3
           SIP/1001-00000004!from-internal!1001!1!Ringing!AppDial!(Outgoing Line)!1001!!!3!0!(None)!1.4`,
        ],
        [4, TALKING_1002_1001],
      ],
      ['1001'],
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.callId, e.caller.number, e.answered]),
      [
        ['ring', '1.1', '1002', false],
        ['connect', '1.1', '1002', true],
        ['ring', '1.3', '1003', false],
        ['disconnect', '1.3', '1003', false],
      ],
    );
  });

  it('a transfer-like change of the bridged peer keeps the call; the extension that leaves gets its disconnect', () => {
    const events = run(
      [
        [1, TALKING_1002_1001],
        [
          3,
          `SIP/1002-00000001!from-internal!1001!1!Up!Dial!SIP/1001,30!1002!!!3!0!SIP/1003-00000005!1.1
           SIP/1003-00000005!from-internal!1003!1!Up!AppDial!(Outgoing Line)!1003!!!3!0!SIP/1002-00000001!1.5`,
        ],
        [6, ''],
      ],
      ['1001', '1002', '1003'],
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.extension, e.callId]),
      [
        ['call', '1002', '1.1'],
        ['connect', '1002', '1.1'],
        ['ring', '1001', '1.1'],
        ['connect', '1001', '1.1'],
        ['disconnect', '1001', '1.1'],
        ['ring', '1003', '1.1'],
        ['connect', '1003', '1.1'],
        ['disconnect', '1002', '1.1'],
        ['disconnect', '1003', '1.1'],
      ],
    );
    assert.equal(events[8].peerChannel, 'SIP/1002-00000001');
  });

  it('a new call between the same two phones right after an answered one is a new call, not its continuation', () => {
    const talking = `SIP/106-00000001!from-internal!105!1!Up!Dial!SIP/105,30!106!!!3!0!SIP/105-00000002!1.1
                     SIP/105-00000002!from-internal!105!1!Up!AppDial!(Outgoing Line)!105!!!3!0!SIP/106-00000001!1.2`;
    const again = `SIP/106-00000003!from-internal!105!1!Up!Dial!SIP/105,30!106!!!3!0!SIP/105-00000004!1.3
                   SIP/105-00000004!from-internal!105!1!Up!AppDial!(Outgoing Line)!105!!!3!0!SIP/106-00000003!1.4`;
    const events = run(
      [
        [1, talking],
        [2, again],
      ],
      ['105'],
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.callId]),
      [
        ['ring', '1.1'],
        ['connect', '1.1'],
        ['disconnect', '1.1'],
        ['ring', '1.3'],
        ['connect', '1.3'],
      ],
    );
  });

  it('after a polling outage: a gap first, then the calls that ended unseen, uncertain', () => {
    const events: MonitorEvent[] = callEvents(
      [
        { at: at(0), channels: [] },
        { at: at(1), channels: parse(TALKING_1002_1001) },
        { at: at(2), failed: true },
        { at: at(4), failed: true },
        { at: at(11), channels: [] },
      ],
      { extensions: ['1001'] },
    );
    assert.deepEqual(
      events.map((e) => e.event),
      ['ring', 'connect', 'gap', 'disconnect'],
    );
    assert.deepEqual(events[2], { event: 'gap', from: '2026-01-01T12:00:01.000Z', to: '2026-01-01T12:00:11.000Z', seconds: 10 });
    assert.equal((events[3] as CallEvent).uncertain, true);
    assert.equal('uncertain' in events[1], false);
  });

  it('reads Dial targets of every version', () => {
    assert.deepEqual(dialTargets('SIP/105&SIP/99105,20,TtrI'), [
      { device: 'SIP/105', number: '105' },
      { device: 'SIP/99105', number: '99105' },
    ]);
    assert.deepEqual(dialTargets('SIP/8001|40|Ttfr'), [{ device: 'SIP/8001', number: '8001' }]);
    assert.deepEqual(dialTargets('SIP/IP-7436-QPQGE/997799298,90,TtM(x)'), [{ device: 'SIP/IP-7436-QPQGE', number: '997799298' }]);
    assert.deepEqual(dialTargets('Local/207@sugarsip/n,"",tr'), [{ device: 'Local/207@sugarsip', number: '207' }]);
    assert.deepEqual(dialTargets('(Outgoing Line)'), []);
  });
});

describe('call events: properties over any sequence of channel lists', () => {
  const EXT = ['1001', '1002', '1003', 'trunk'];
  const channel = fc
    .record({
      dev: fc.constantFrom(...EXT, 'Local/1001@from-queue'),
      seq: fc.integer({ min: 0, max: 5 }),
      half: fc.constantFrom('', ';1', ';2'),
      state: fc.constantFrom('Down', 'Ring', 'Ringing', 'Up', 'Busy', 'weird'),
      application: fc.constantFrom('Dial', 'AppDial', 'Queue', 'AppQueue', 'Bridged Call', 'VoiceMail', ''),
      target: fc.constantFrom(...EXT, ''),
      callerId: fc.constantFrom(...EXT, '', '"Max" <+49301>'),
      bridged: fc.option(
        fc.oneof(
          fc.constantFrom(...EXT).map((e) => `SIP/${e}-0000000${e.length % 3}`),
          fc.constantFrom('bridge-a', 'bridge-b'),
        ),
        { nil: null },
      ),
      uniqueId: fc.constantFrom('1.1', '1.2', '1.3', ''),
    })
    .map((r): CallChannel => {
      const name = r.dev.startsWith('Local/') ? `${r.dev}-000${r.seq}${r.half || ';1'}` : `SIP/${r.dev}-0000000${r.seq}`;
      const bridgedTo = r.bridged && r.bridged.includes('/') ? r.bridged : null;
      return {
        channel: name,
        exten: r.target,
        state: r.state,
        application: r.application,
        data: r.target ? `SIP/${r.target},30` : '(Outgoing Line)',
        callerId: r.callerId,
        bridgedTo,
        bridgeId: bridgedTo ? null : r.bridged,
        uniqueId: r.uniqueId,
      };
    });
  const poll = fc.oneof(
    { weight: 5, arbitrary: fc.array(channel, { maxLength: 8 }).map((channels) => ({ channels, failed: false })) },
    { weight: 1, arbitrary: fc.constant({ channels: [] as CallChannel[], failed: true }) },
  );
  const polls = fc.array(fc.tuple(poll, fc.integer({ min: -500, max: 5000 })), { minLength: 1, maxLength: 25 });

  it('connect and disconnect only after ring or call; one disconnect per call and extension; times never go backwards', () => {
    fc.assert(
      fc.property(polls, fc.constantFrom<string[] | null>(null, ['1001'], ['1002', 'trunk']), (seq, extensions) => {
        let t = T0;
        const list = seq.map(([p, step]) => {
          t += step; // a step back is a clock that jumped: the tracker must not go back with it
          return { at: t, channels: p.channels, failed: p.failed };
        });
        const events = callEvents(list, { extensions });
        const started = new Set<string>();
        const ended = new Set<string>();
        let last = -Infinity;
        for (const e of events) {
          if (e.event === 'gap') {
            assert.ok(Date.parse(e.from) <= Date.parse(e.to));
            continue;
          }
          const key = `${e.callId}|${e.extension}`;
          assert.ok(!ended.has(key), `${key}: an event after its disconnect`);
          if (e.event === 'ring' || e.event === 'call') {
            assert.ok(!started.has(key), `${key}: started twice`);
            started.add(key);
          } else {
            assert.ok(started.has(key), `${key}: ${e.event} without ring or call`);
          }
          if (e.event === 'disconnect') ended.add(key);
          const times = [e.startedAt, e.answeredAt, e.endedAt].filter((x): x is string => x !== null).map(Date.parse);
          for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] <= times[i], `${key}: times out of order`);
          const when = Date.parse(e.event === 'disconnect' ? e.endedAt! : e.event === 'connect' ? e.answeredAt! : e.startedAt);
          assert.ok(when >= last, `${key}: ${e.event} earlier than the event before it`);
          last = when;
          assert.ok(e.ringSeconds >= 0 && e.talkSeconds >= 0);
          assert.equal(e.answered, e.answeredAt !== null);
          if (extensions) assert.ok(extensions.includes(e.extension));
        }
      }),
      { numRuns: 500 },
    );
  });
});
