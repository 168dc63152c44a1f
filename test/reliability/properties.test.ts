/*
 * Property-based tests (fast-check) of the message-to-parameters mapping: which value a node takes
 * for a field (resolveField), what the client makes of any parameters (buildParams), that whatever
 * it accepts reaches the PBX byte for byte, and that no answer makes a parser throw anything but a
 * WebTapiError.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { ACTIONS, buildParams, validators, WebTapiClient, WebTapiError } from '../../dist/client';
import type { ActionSpec } from '../../dist/client';
import { parseAnswer } from '../../dist/client/answer';
import { resolveField } from '../../dist/nodes/glue/properties';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { assertCalm, PASSWORD, USER, watchCalm } from './kit';

const RED = { util: require('node-red').util } as NodeAPI;
const NODE = {} as Node;

const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';
const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  !Buffer.isBuffer(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * The documented rule, written out: a field set in the dialog (a literal str/num/bool TypedInput
 * with a value other than '', or any other TypedInput type) is the node property; an empty one is
 * msg.payload.F, msg.F, a scalar payload (primary only), else the empty property.
 */
function model(msg: Record<string, unknown>, field: string, primary: boolean, def: Record<string, unknown>): unknown {
  const type = typeof def[`${field}Type`] === 'string' && def[`${field}Type`] !== '' ? String(def[`${field}Type`]) : 'str';
  const literal = ['str', 'num', 'bool'].includes(type);
  if (literal && !(isSet(def[field]) && def[field] !== false)) {
    const payload = msg.payload;
    if (isPlain(payload) && isSet(payload[field])) return payload[field];
    if (isSet(msg[field])) return msg[field];
    if (primary && ['string', 'number', 'boolean'].includes(typeof payload) && payload !== '') return payload;
    return def[field] ?? '';
  }
  if (type === 'str') return def[field];
  return RED.util.evaluateNodeProperty(String(def[field] ?? ''), type, NODE, msg as NodeMessage);
}

const FIELDS = ['dst', 'relay', 'camera', 'target', 'queue'];
/** Values as flows send them, with the edge cases of "set": '', null, undefined, 0, false. */
const value = fc.oneof(
  fc.constantFrom(undefined, null, '', 0, false, true, ' ', '0'),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'dst'), fc.nat(), { maxKeys: 2 }),
);

describe('reliability: properties of the message-to-parameters mapping (fast-check)', function () {
  this.timeout(60_000);
  beforeEach(() => watchCalm());
  afterEach(() => assertCalm());

  it('resolveField takes a field set in the dialog from the node property; an empty one from msg.payload.F, msg.F, a scalar payload (primary field only)', async () => {
    const property = fc.oneof(
      fc.record({ v: fc.string({ maxLength: 8 }), t: fc.constant('str') }),
      fc.record({ v: fc.constantFrom('', undefined, null, false), t: fc.constantFrom('str', 'num', 'bool', '') }),
      fc.record({ v: fc.integer().map(String), t: fc.constant('num') }),
      fc.record({ v: fc.constantFrom('true', 'false'), t: fc.constant('bool') }),
      fc.record({ v: fc.constantFrom('{"a":1}', '[1,2]', '"x"', '5'), t: fc.constant('json') }),
      fc.record({ v: fc.constantFrom('topic', 'other', 'missing.deep'), t: fc.constant('msg') }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIELDS),
        fc.boolean(),
        property,
        fc.oneof(value, fc.dictionary(fc.constantFrom(...FIELDS, 'x'), value, { maxKeys: 4 })),
        value,
        value,
        value,
        async (field, primary, prop, payload, fromMsg, topic, other) => {
          const msg: Record<string, unknown> = { payload, topic, other };
          if (fromMsg !== undefined) msg[field] = fromMsg;
          const def = { id: 'n', [field]: prop.v, [`${field}Type`]: prop.t };
          let expected: unknown;
          try {
            expected = model(msg, field, primary, def);
          } catch {
            // A property Node-RED cannot evaluate for this message (msg.missing.deep): the flow's input is wrong.
            await assert.rejects(
              async () => resolveField(RED, NODE, def, msg as NodeMessage, field, primary),
              (e: WebTapiError) => e.code === 'WEBTAPI_INVALID_INPUT',
            );
            return;
          }
          assert.deepEqual(await resolveField(RED, NODE, def, msg as NodeMessage, field, primary), expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  const specs = [...ACTIONS.values()];
  const goodish = fc.oneof(
    fc.stringMatching(/^[0-9]{3,5}$/),
    fc.constantFrom('SIP/1001-0000000a', 'VMX', '17', '44', 'rec_1.wav', '1*2#', 'on', '1,2,3', ''),
    fc.integer({ min: -5, max: 300 }),
    fc.boolean(),
  );
  const anyValue = fc.oneof(
    goodish,
    fc.anything({ maxDepth: 1 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('a&b=c', '../x', '%00', 'x\ny', 'ü'),
  );

  it('buildParams sends only valid values under names the action takes, or refuses with WEBTAPI_INVALID_INPUT', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...specs)
          .chain((spec: ActionSpec) =>
            fc.tuple(
              fc.constant(spec),
              fc.dictionary(
                fc.oneof(
                  fc.constantFrom(
                    ...Object.keys(spec.params),
                    'note',
                    'SID',
                    'sid',
                    'action',
                    '__proto__',
                    'constructor',
                    'a b',
                    'AUTH[pass]',
                  ),
                  fc.string({ maxLength: 6 }),
                ),
                anyValue,
                { maxKeys: 5 },
              ),
            ),
          ),
        ([spec, params]) => {
          let out: Record<string, string>;
          try {
            out = buildParams(spec, params);
          } catch (err) {
            assert.ok(err instanceof WebTapiError, `not a WebTapiError: ${String(err)}`);
            assert.equal(err.code, 'WEBTAPI_INVALID_INPUT');
            return;
          }
          for (const [key, p] of Object.entries(spec.params)) {
            if (p.required) assert.ok(Object.hasOwn(out, key), `${spec.name}: required ${key} missing`);
          }
          for (const [key, v] of Object.entries(out)) {
            assert.ok(Object.hasOwn(params, key), `${spec.name}: ${key} was not given`);
            assert.equal(typeof v, 'string');
            if (Object.hasOwn(spec.params, key)) {
              assert.equal(
                spec.params[key].validate(spec.name, key, v),
                v,
                `${spec.name}: ${key}=${JSON.stringify(v)} does not validate as itself`,
              );
            } else {
              assert.match(key, /^[A-Za-z_][A-Za-z0-9_]{0,31}$/);
              assert.ok(!['SID', 'action', '__proto__'].includes(key) && key.toUpperCase() !== 'SID');
              // eslint-disable-next-line no-control-regex -- control characters are what this asserts absent
              assert.ok(v.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(v) && !/\p{Cs}/u.test(v), JSON.stringify(v));
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  describe('over the wire', () => {
    let sim: Simulator;
    let client: WebTapiClient;
    before(async () => {
      sim = await startSimulator({ port: 0, users: { [USER]: PASSWORD } });
      client = new WebTapiClient({ url: sim.url, username: USER, password: PASSWORD, timeoutMs: 5000 });
    });
    after(async () => {
      await client.close();
      await sim.close();
    });

    const special = fc.string({
      unit: fc.constantFrom(
        '&',
        '=',
        '%',
        '+',
        ' ',
        '#',
        '?',
        '/',
        '.',
        '..',
        'ü',
        '🚪',
        '"',
        "'",
        '<',
        '>',
        ';',
        ',',
        '\\',
        '[',
        ']',
        'a',
        '1',
        'SID',
        '%26',
        '%00',
      ),
      minLength: 1,
      maxLength: 40,
    });

    it('a value the client accepts reaches the PBX byte for byte (any text, & = % included)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })), async (text) => {
          const sentBefore = sim.requests.length;
          let sent: Record<string, string>;
          try {
            sent = (await client.execute('call_list', { note: text })).params;
          } catch (err) {
            assert.ok(err instanceof WebTapiError && err.code === 'WEBTAPI_INVALID_INPUT', String(err));
            assert.equal(sim.requests.length, sentBefore, 'refused, but sent');
            return;
          }
          const got = sim.requests[sim.requests.length - 1];
          assert.equal(got.action, 'call_list');
          assert.deepEqual(got.params, sent, 'what the PBX read differs from what the client says it sent');
          assert.equal(sent.note, text.trim());
        }),
        { numRuns: 300 },
      );
    });

    it('extension lists the client accepts arrive as they were given', async () => {
      const ext = fc.stringMatching(/^[A-Za-z0-9*#+_.-]{1,8}$/);
      await fc.assert(
        fc.asyncProperty(fc.array(ext, { minLength: 1, maxLength: 6 }), async (list) => {
          const sentBefore = sim.requests.length;
          try {
            await client.execute('call_status_get', { filter: list.join(',') });
          } catch (err) {
            assert.ok(err instanceof WebTapiError, String(err));
            if (err.code === 'WEBTAPI_INVALID_INPUT') {
              assert.equal(sim.requests.length, sentBefore);
              assert.ok(
                list.some((e) => e.includes('..')),
                `refused a valid list ${JSON.stringify(list)}`,
              );
              return;
            }
          }
          const got = sim.requests.filter((r) => r.action === 'call_status_get' && r.params.filter !== undefined).pop();
          assert.equal(got?.params.filter, list.join(','));
          for (const e of list) assert.equal(validators.extension('x', 'x', e), e);
        }),
        { numRuns: 200 },
      );
    });

    it('any password (unicode, & = %, line breaks) is form-encoded: the PBX gets it exactly', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 30 })), async (password) => {
          sim.setUser('2001', password);
          const c = new WebTapiClient({ url: sim.url, username: '2001', password, timeoutMs: 5000, loginBackoffMs: 0 });
          try {
            await c.connect();
          } finally {
            await c.close();
          }
        }),
        { numRuns: 150 },
      );
    });
  });

  it('no answer, whatever its bytes and content type, makes a parser throw anything but a WebTapiError', () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
      fc
        .constantFrom(
          '0',
          '1',
          '0\n',
          ' 1 ',
          '<html>1</html>',
          '\ufeff1',
          '-1',
          '1001:0',
          'a;b;c',
          '17;Door;1',
          '__proto__:1',
          'SIP/1-1!a!b!c!d!e!f!g!h!i!j!k!l!m',
        )
        .map((s) => Buffer.from(s)),
    );
    const type = fc.constantFrom(
      '',
      'text/plain',
      'text/html',
      'image/jpeg',
      'application/octet-stream',
      'multipart/x-mixed-replace; boundary=x',
      'audio/wav',
    );
    fc.assert(
      fc.property(fc.constantFrom(...specs), body, type, (spec, b, contentType) => {
        try {
          parseAnswer(spec, { status: 200, contentType, body: b });
        } catch (err) {
          if (!(err instanceof WebTapiError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
