import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  WebTapiError,
  channelExtension,
  parseBoolean,
  parseCameras,
  parseChannelLine,
  parseChannels,
  parseList,
  parseName,
  parseNumber,
  parseQueues,
  parseRelays,
  parseStatusMap,
  stateName,
} from '../../dist/client';
import { code } from './kit';

const DOC_LINE = 'SIP/1004-0000003a!Callme!7777!Up!Queue!VMX,i!1004!1004!1004!3!534!SIP/1001-0000003b!1358704647.94';
const LINE14 = 'SIP/1001-00000001!internal!1002!1!Up!Dial!SIP/1002,30!1001!!!3!42!SIP/1002-00000002!1700000000.1';

describe('parsers', () => {
  it('reads 1/0 answers with odd whitespace and CRLF', () => {
    assert.equal(parseBoolean('call', '1'), true);
    assert.equal(parseBoolean('call', ' 1\r\n\r\n'), true);
    assert.throws(
      () => parseBoolean('call', '0\r\n'),
      (e: WebTapiError) => e.code === 'WEBTAPI_ACTION_FAILED' && e.action === 'call',
    );
    assert.throws(() => parseBoolean('call', '<b>Warning</b>: mysql_connect() 1'), code('WEBTAPI_BAD_RESPONSE'));
    assert.throws(() => parseBoolean('call', ''), code('WEBTAPI_BAD_RESPONSE'));
  });

  it("reads the document's 13-field q_call_list example", () => {
    const c = parseChannelLine('q_call_list', DOC_LINE);
    assert.equal(c.channel, 'SIP/1004-0000003a');
    assert.equal(c.context, 'Callme');
    assert.equal(c.exten, '7777');
    assert.equal(c.state, 'Up');
    assert.equal(c.application, 'Queue');
    assert.equal(c.data, 'VMX,i');
    assert.equal(c.callerId, '1004');
    assert.equal(c.duration, 534);
    assert.equal(c.bridgedTo, 'SIP/1001-0000003b');
    assert.equal(c.uniqueId, '1358704647.94');
    assert.equal(c.extension, '1004');
    assert.equal(c.priority, null);
    assert.equal(c.raw, DOC_LINE);
  });

  it('reads 14-field lines, (None) bridges and 13-field Asterisk 1.6 lines', () => {
    const c = parseChannelLine('call_list_all', LINE14);
    assert.equal(c.priority, 1);
    assert.equal(c.state, 'Up');
    assert.equal(c.duration, 42);
    assert.equal(c.extension, '1001');
    const none = parseChannelLine('call_list_all', LINE14.replace('SIP/1002-00000002', '(None)'));
    assert.equal(none.bridgedTo, null);
    const a16 = parseChannelLine('x', 'SIP/1003-0000000a!ctx!100!2!Ringing!Dial!x!1003!!3!7!(None)!1.2');
    assert.equal(a16.priority, 2);
    assert.equal(a16.state, 'Ringing');
    assert.equal(a16.duration, 7);
    assert.equal(a16.bridgedTo, null);
  });

  it('reads channel lists with CRLF and blank lines; a short line is data, not an error', () => {
    const list = parseChannels('call_list_all', `${LINE14}\r\n\r\n${DOC_LINE}\r\n\r\n`);
    assert.equal(list.length, 2);
    assert.deepEqual(parseChannels('call_list_all', '\n \n'), []);
    assert.deepEqual(parseChannels('call_list_all', 'a!b!c'), [{ shape: 'fields', fields: ['a', 'b', 'c'], raw: 'a!b!c' }]);
    assert.throws(() => parseChannelLine('call_list_all', 'a!b!c'), code('WEBTAPI_BAD_RESPONSE'));
    assert.throws(() => parseChannels('call_list_all', '0'), code('WEBTAPI_ACTION_FAILED'));
  });

  it('derives the extension from channel names', () => {
    assert.equal(channelExtension('SIP/1004-0000003a'), '1004');
    assert.equal(channelExtension('PJSIP/door-station-00000001'), 'door-station');
    assert.equal(channelExtension('Local/prio-1@from-internal-0001;1'), 'prio-1');
    assert.equal(channelExtension('DAHDI/1'), '1');
  });

  it('reads call_status_get with every separator and unknown codes', () => {
    const map = parseStatusMap(
      'call_status_get',
      '1001:0\r\n1002=1\n1003;8\n1004,4\n1005\t16\n1006   17\n1007 : -1\n1008:9\n1009:2\n1010:99\n\n',
    );
    assert.deepEqual(map['1001'], { code: 0, state: 'idle' });
    assert.deepEqual(map['1002'], { code: 1, state: 'inuse' });
    assert.deepEqual(map['1003'], { code: 8, state: 'ringing' });
    assert.deepEqual(map['1004'], { code: 4, state: 'unavailable' });
    assert.deepEqual(map['1005'], { code: 16, state: 'hold' });
    assert.deepEqual(map['1006'], { code: 17, state: 'inuse_hold' });
    assert.deepEqual(map['1007'], { code: -1, state: 'not_found' });
    assert.deepEqual(map['1008'], { code: 9, state: 'inuse_ringing' });
    assert.deepEqual(map['1009'], { code: 2, state: 'busy' });
    assert.deepEqual(map['1010'], { code: 99, state: 'unknown' });
    assert.deepEqual(parseStatusMap('call_status_get', '1001 idle'), { 1001: { code: 0, state: 'idle' } });
    assert.throws(() => parseStatusMap('call_status_get', 'nothing here'), code('WEBTAPI_BAD_RESPONSE'));
    assert.equal(stateName(3), 'unknown');
  });

  it('reads relay, camera, queue and plain lists', () => {
    assert.deepEqual(parseRelays('relay_list', '17;Door;1\r\n18\tGate\t0\n19|Light\n20'), [
      { id: '17', name: 'Door', status: 1, raw: '17;Door;1' },
      { id: '18', name: 'Gate', status: 0, raw: '18\tGate\t0' },
      { id: '19', name: 'Light', raw: '19|Light' },
      { id: '20', raw: '20' },
    ]);
    assert.deepEqual(parseCameras('vmx_cam_list', '44;Entrance\n45'), [
      { id: '44', name: 'Entrance', raw: '44;Entrance' },
      { id: '45', raw: '45' },
    ]);
    assert.deepEqual(parseQueues('q_list', 'VMX\nSUPPORT;2;strategy'), [
      { shape: 'fields', name: 'VMX', raw: 'VMX' },
      { shape: 'fields', name: 'SUPPORT', fields: ['2', 'strategy'], raw: 'SUPPORT;2;strategy' },
    ]);
    assert.deepEqual(parseList('call_record_list', 'a.wav\r\nb.wav\r\n'), [
      { file: 'a.wav', raw: 'a.wav' },
      { file: 'b.wav', raw: 'b.wav' },
    ]);
    assert.throws(() => parseList('call_record_list', '<html><body>oops</body></html>'), code('WEBTAPI_BAD_RESPONSE'));
  });

  it('reads names and numbers', () => {
    assert.equal(parseName('call_record_start', ' lukas_223344.wav \r\n'), 'lukas_223344.wav');
    assert.throws(() => parseName('call_record_start', '0'), code('WEBTAPI_ACTION_FAILED'));
    assert.equal(parseNumber('relay_status_get', '0\n'), 0);
    assert.equal(parseNumber('relay_status_get', '1'), 1);
    assert.throws(() => parseNumber('relay_status_get', 'on'), code('WEBTAPI_BAD_RESPONSE'));
  });

  it('never throws anything but a WebTapiError, whatever the answer (property)', () => {
    const parsers = [
      parseBoolean,
      parseName,
      parseNumber,
      parseChannels,
      parseStatusMap,
      parseList,
      parseQueues,
      parseRelays,
      parseCameras,
    ];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .array(
          fc.oneof(
            fc.constantFrom('!', ':', ';', '\t', '|', '\r\n', '\n', ' ', '0', '1', '-1', '(None)', 'SIP/1001-1'),
            fc.string({ maxLength: 8 }),
          ),
          { maxLength: 40 },
        )
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        for (const parse of parsers) {
          try {
            parse('x', input);
          } catch (err) {
            if (!(err instanceof WebTapiError)) throw err;
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any well-formed channel line (property)', () => {
    const field = fc.string({ maxLength: 12 }).map((s) => s.replace(/[!\r\n]/g, ''));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{2,5}\/[0-9]{3,5}-[0-9a-f]{8}$/),
        field,
        field,
        fc.nat(99),
        fc.nat(100000),
        (chan, ctx, data, prio, dur) => {
          const line = [chan, ctx, '100', String(prio), 'Up', 'Dial', data, '1001', '', '', '3', String(dur), '(None)', '1.1'].join('!');
          const c = parseChannelLine('x', line);
          assert.equal(c.channel, chan.trim());
          assert.equal(c.duration, dur);
          assert.equal(c.priority, prio);
          assert.equal(c.extension, chan.split('/')[1].split('-')[0]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
