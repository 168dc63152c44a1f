/**
 * Static checks of the editor side: nodes/*.html, nodes/locales/<lang>/*.{json,html}, icons/*.svg.
 *
 * No browser: the html files are read as text, and their <script type="text/javascript"> blocks are
 * run against a minimal stand-in of the editor's RED object to get the node definitions (defaults,
 * labels, validators) exactly as the editor would register them. The helpers all dialogs share,
 * resources/webtapi-editor.js (served by Node-RED at resources/<module>/webtapi-editor.js), run
 * first in the same stand-in window, as the editor loads a file's src scripts before its own.
 * Templates, locale catalogues and help pages are checked as the build writes them (dist/nodes):
 * the build assembles them from parts and the client's tables (scripts/editor-assets.js).
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import { ACTIONS as CLIENT_ACTIONS, EDITOR_RULES, ERROR_CODES, ERROR_CODE_NAMES, flowCodes, validators } from '../../dist/client';
import { CONTRACT_DEFAULTS } from '../../scripts/lib/contract-defaults';
import { DECLARED_TYPES } from '../declared-nodes';

const MODULE = 'node-red-contrib-metasec-webtapi';
/** The shared editor script: its path in the package and the tag every editor html loads it with. */
const SHARED_JS = 'resources/webtapi-editor.js';
const SHARED_TAG = `<script src="resources/${MODULE}/webtapi-editor.js"></script>`;
const LANGS = ['en-US', 'de'];

interface TypeInfo {
  category: string;
  icon?: string;
  /** datalist kinds the editor fills from GET metasec-webtapi/<configId>/options/<kind> */
  pickLists: string[];
  /** A node without input (default 1): it never fails a message, so its help has no error list. */
  inputs?: 0;
}

const TYPES: Record<string, TypeInfo> = {
  'webtapi-config': { category: 'config', pickLists: [] },
  'webtapi-call': { category: 'METASEC', icon: 'webtapi-phone.svg', pickLists: ['extensions'] },
  'webtapi-hangup': { category: 'METASEC', icon: 'webtapi-hangup.svg', pickLists: ['extensions'] },
  'webtapi-queue-agent': { category: 'METASEC', icon: 'webtapi-queue.svg', pickLists: ['queues'] },
  'webtapi-relay-set': { category: 'METASEC', icon: 'webtapi-relay.svg', pickLists: ['relays'] },
  'webtapi-cam-snapshot': { category: 'METASEC', icon: 'webtapi-camera.svg', pickLists: ['cameras'] },
  'webtapi-cam-stream': { category: 'METASEC', icon: 'webtapi-camera-stream.svg', pickLists: ['cameras'] },
  'webtapi-status-watch': { category: 'METASEC', icon: 'webtapi-watch.svg', pickLists: [] },
  'webtapi-request': { category: 'METASEC', icon: 'webtapi-request.svg', pickLists: [] },
  'webtapi-call-monitor': { category: 'METASEC', icon: 'webtapi-call-monitor.svg', pickLists: [] },
  'webtapi-event-in': { category: 'METASEC', icon: 'webtapi-event-in.svg', pickLists: [], inputs: 0 },
};

/** Runtime status texts (docs/nodes.md) with the placeholders each must keep. */
const STATUS_KEYS: Record<string, string[]> = {
  connected: [],
  loggingIn: [],
  loginFailed: ['__seconds__'],
  unreachable: [],
  badAnswer: ['__code__'],
  misconfigured: [],
  // the runtime (src/nodes/glue/status.ts) passes the action or the error code to these three
  requesting: ['__action__'],
  ok: ['__action__'],
  error: ['__code__'],
  watching: ['__count__'],
  pulse: ['__ms__'],
  switchingBack: ['__attempt__'],
  viaPush: ['__what__'],
  viaPoll: ['__seconds__', '__what__'],
  listening: [],
  noEndpoint: [],
};

const ACTIONS = [
  'call',
  'call_pick',
  'call_hangup',
  'call_prio',
  'call_list',
  'call_list_all',
  'call_record_start',
  'call_record_stop',
  'call_record_list',
  'call_record_get',
  'call_status_get',
  'call_create_conf',
  'q_list',
  'agent_list',
  'agent_login',
  'agent_logout',
  'q_call_list',
  'q_waiting_list',
  'q_shift_caller',
  'q_caller_del',
  'vmx_cam_list',
  'vmx_cam_get_pic',
  'vmx_cam_get_stream',
  'vmx_cam_s_record',
  'vmx_cam_p_save',
  'chan_play_dtmf',
  'chan_monitor',
  'relay_list',
  'relay_status_get',
  'relay_status_set',
];

// ---------------------------------------------------------------------------------------------
// Helpers

function parentDir(dir: string): string {
  return dir.replace(/[\\/][^\\/]+[\\/]?$/, '');
}

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const pkg = `${dir}/package.json`;
    if (fs.existsSync(pkg)) {
      const parsed = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string };
      if (parsed.name === MODULE) return dir;
    }
    const up = parentDir(dir);
    if (up === dir || up === '') break;
    dir = up;
  }
  throw new Error(`package root of ${MODULE} not found above ${__dirname}`);
}

const ROOT = findRoot();
const read = (rel: string): string => fs.readFileSync(`${ROOT}/${rel}`, 'utf8');
const exists = (rel: string): boolean => fs.existsSync(`${ROOT}/${rel}`);

type Json = { [key: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf key paths of a locale object: { a: { b: "x" } } → Map { "a.b" → "x" }. */
export function flatten(obj: Json, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

const localeCache = new Map<string, Map<string, unknown>>();
function locale(lang: string, type: string): Map<string, unknown> {
  const id = `${lang}/${type}`;
  let m = localeCache.get(id);
  if (!m) {
    const parsed: unknown = JSON.parse(read(`dist/nodes/locales/${lang}/${type}.json`));
    assert.ok(isObject(parsed), `${id}.json is not a JSON object`);
    m = flatten(parsed);
    localeCache.set(id, m);
  }
  return m;
}

function placeholders(text: string): string[] {
  return (text.match(/__[A-Za-z0-9_]+?__/g) ?? []).sort();
}

interface KeyRef {
  key: string;
  where: string;
}

/**
 * Every locale key the editor html of `type` uses, in its own namespace: data-i18n attributes,
 * RED._ / this._ / node._ / _t calls with a literal, and any string literal "<type>.x.y".
 * Keys of the core namespace (node-red:...) are skipped; keys of another namespace are an error.
 */
export function usedKeys(type: string, html: string): KeyRef[] {
  const refs: KeyRef[] = [];
  const ownNs = `${MODULE}/${type}`;
  const add = (raw: string, where: string): void => {
    let key = raw.trim();
    const colon = key.indexOf(':');
    if (colon !== -1) {
      const ns = key.slice(0, colon);
      key = key.slice(colon + 1);
      if (ns === 'node-red') return;
      assert.strictEqual(ns, ownNs, `${type}.html: ${where} "${raw}" uses the namespace ${ns}, not ${ownNs}`);
    }
    refs.push({ key, where });
  };
  for (const m of html.matchAll(/data-i18n\s*=\s*"([^"]*)"/g)) {
    for (const part of m[1].split(';')) {
      if (!part.trim()) continue;
      add(part.replace(/^\s*\[[^\]]*\]/, ''), 'data-i18n');
    }
  }
  for (const m of html.matchAll(/\b(?:RED\._|this\._|node\._|_t)\(\s*(["'])((?:(?!\1).)*)\1/g)) {
    const raw = m[2];
    // RED._ without a namespace reads the core catalogue
    if (m[0].startsWith('RED._') && raw.indexOf(':') === -1) continue;
    add(raw, m[0].replace(/\(.*/, '()'));
  }
  const literal = new RegExp(`(["'])(${type.replace(/[-]/g, '\\-')}\\.[A-Za-z0-9_.-]+)\\1`, 'g');
  for (const m of html.matchAll(literal)) {
    if (/\.(svg|png|html|json|js)$/.test(m[2])) continue; // a file name such as the icon, not a key
    add(m[2], 'string literal');
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------
// Running the editor scripts against a stand-in RED

interface PropDef {
  value?: unknown;
  type?: string;
  required?: boolean;
  validate?: (this: Json, v: unknown, opt?: Json) => unknown;
}
interface NodeDef {
  category?: string;
  color?: string;
  icon?: string;
  inputs?: number;
  outputs?: number;
  defaults: Record<string, PropDef>;
  credentials?: Record<string, { type: string }>;
  label?: (this: Json) => string;
  paletteLabel?: unknown;
  inputLabels?: unknown;
  outputLabels?: unknown;
  oneditprepare?: unknown;
}

function scripts(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\s+type="text\/javascript"\s*>([\s\S]*?)<\/script>/g)) out.push(m[1]);
  return out;
}

/** The editor's globals as the scripts see them: RED, jQuery and window. */
interface StandIn {
  RED: Json;
  $: () => Json;
  window: Json;
}

function standIn(defs: Map<string, NodeDef>): StandIn {
  const fakeJq = (): Json => ({ length: 0, val: (): undefined => undefined });
  const RED = {
    _: (key: string, opts?: Json): string => (opts ? `${key} ${JSON.stringify(opts)}` : key),
    nodes: {
      registerType: (type: string, def: NodeDef): void => {
        assert.ok(!defs.has(type), `${type} registered twice`);
        defs.set(type, def);
      },
    },
    validators: {
      typedInput: () => (): boolean => true,
      number:
        () =>
        (v: unknown): boolean =>
          !Number.isNaN(Number(v)),
      regex:
        (re: RegExp) =>
        (v: unknown): boolean =>
          re.test(String(v)),
    },
    settings: { get: (): undefined => undefined },
  };
  return { RED, $: fakeJq, window: {} };
}

/** Runs a script as the editor would: RED, $, jQuery and window are the stand-in's. */
function run(env: StandIn, code: string): void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the editor's own script text is what this test runs
  const fn = new Function('RED', '$', 'jQuery', 'window', code) as (...args: unknown[]) => void;
  fn(env.RED, env.$, env.$, env.window);
}

function loadDefinitions(html: string): Map<string, NodeDef> {
  const defs = new Map<string, NodeDef>();
  const env = standIn(defs);
  run(env, read(SHARED_JS));
  for (const code of scripts(html)) run(env, code);
  return defs;
}

const defCache = new Map<string, NodeDef>();
function definition(type: string): NodeDef {
  let def = defCache.get(type);
  if (!def) {
    // the built file: the one Node-RED serves, its parts (the script's opening among them) filled in
    const defs = loadDefinitions(read(`dist/nodes/${type}.html`));
    def = defs.get(type);
    assert.ok(def, `dist/nodes/${type}.html does not register ${type} when run`);
    defCache.set(type, def);
  }
  return def;
}

function label(type: string, props: Json): string {
  const def = definition(type);
  assert.strictEqual(typeof def.label, 'function', `${type}: label is not a function`);
  const node: Json = {};
  for (const [k, p] of Object.entries(def.defaults)) node[k] = p.value;
  Object.assign(node, props);
  return (def.label as (this: Json) => string).call(node);
}

/** What the property's validator answers for v when asked for a message (true, or the message). */
function answer(type: string, prop: string, v: unknown, node: Json = {}): unknown {
  const p = definition(type).defaults[prop];
  assert.ok(p?.validate, `${type}: no validator of ${prop}`);
  return p.validate.call(node, v, {});
}

/** true when the property's validator accepts v (a 3.x validator answers true or a message). */
function valid(type: string, prop: string, v: unknown, node: Json = {}): boolean {
  const p = definition(type).defaults[prop];
  assert.ok(p, `${type}: no property ${prop}`);
  if (!p.validate) return true;
  return p.validate.call(node, v, {}) === true;
}

// ---------------------------------------------------------------------------------------------

describe('editor files (static)', () => {
  it('checks every node type package.json declares, each with its docs/nodes.md defaults', () => {
    assert.deepStrictEqual(Object.keys(TYPES).sort(), [...DECLARED_TYPES].sort());
    assert.deepStrictEqual(Object.keys(CONTRACT_DEFAULTS).sort(), [...DECLARED_TYPES].sort());
  });

  for (const [type, info] of Object.entries(TYPES)) {
    describe(type, () => {
      const htmlPath = `nodes/${type}.html`;

      it('has an editor html file with its template and registration', () => {
        assert.ok(exists(htmlPath), `${htmlPath} is missing`);
        assert.doesNotMatch(read(`dist/${htmlPath}`), /<!-- include|\{\{/, 'an include left unresolved in the built file');
        const html = read(htmlPath);
        assert.match(html, new RegExp(`data-template-name="${type}"`), 'no edit template');
        const registered = [...html.matchAll(/RED\.nodes\.registerType\(\s*["']([^"']+)["']/g)].map((m) => m[1]);
        assert.deepStrictEqual(registered, [type], `${htmlPath} must register exactly ${type}`);
        assert.doesNotMatch(html, /data-help-name=/, 'help belongs in nodes/locales/<lang>/<type>.html');
      });

      it(`registers with category ${info.category}, the palette colour and ports`, () => {
        const def = definition(type);
        assert.strictEqual(def.category, info.category);
        if (type === 'webtapi-config') {
          assert.ok(!def.inputs && !def.outputs, 'a config node has no ports');
          return;
        }
        assert.strictEqual(def.color, '#6CC3C9', 'one colour for the whole family');
        assert.strictEqual(def.inputs, info.inputs ?? 1);
        assert.strictEqual(def.outputs, 1);
        assert.ok(def.paletteLabel, 'paletteLabel');
        assert.ok((def.inputLabels || info.inputs === 0) && def.outputLabels, 'inputLabels/outputLabels');
      });

      it('has the defaults of docs/nodes.md', () => {
        const def = definition(type);
        const expected = CONTRACT_DEFAULTS[type];
        assert.deepStrictEqual(Object.keys(def.defaults).sort(), Object.keys(expected).sort(), 'property names');
        for (const [prop, value] of Object.entries(expected)) {
          if (value === undefined) continue;
          assert.deepStrictEqual(def.defaults[prop].value, value, `${type}.${prop} default`);
        }
        if (type === 'webtapi-config') {
          assert.strictEqual(def.defaults.tls.type, 'tls-config');
          assert.strictEqual(def.defaults.tls.required, false);
          assert.deepStrictEqual(def.credentials, {
            username: { type: 'text' },
            password: { type: 'password' },
            eventToken: { type: 'password' },
          });
        } else if (type === 'webtapi-relay-set') {
          // The PIN: a password credential, which Node-RED never sends back to the editor.
          assert.deepStrictEqual(def.credentials, { code: { type: 'password' } });
          assert.strictEqual(def.defaults.server.type, 'webtapi-config');
        } else {
          assert.strictEqual(def.defaults.server.type, 'webtapi-config');
        }
      });

      it('uses only locale keys that exist in every language', () => {
        const html = read(`dist/${htmlPath}`);
        const refs = usedKeys(type, html);
        assert.ok(refs.length > 0, 'no locale keys found: is the html localised?');
        for (const lang of LANGS) {
          const keys = locale(lang, type);
          // a key ending in "." is a prefix completed at run time ("webtapi-config.errors." + code)
          const known = (key: string) => keys.has(key) || (key.endsWith('.') && [...keys.keys()].some((k) => k.startsWith(key)));
          const missing = refs.filter((r) => !known(r.key)).map((r) => `${r.key} (${r.where})`);
          assert.deepStrictEqual([...new Set(missing)], [], `keys missing in ${lang}/${type}.json`);
        }
      });

      it('has the same locale keys and placeholders in en-US and de, none empty', () => {
        const en = locale('en-US', type);
        const de = locale('de', type);
        assert.deepStrictEqual([...de.keys()].sort(), [...en.keys()].sort(), `key sets of en-US and de differ`);
        for (const [key, text] of en) {
          assert.strictEqual(typeof text, 'string', `en-US ${key} is not a string`);
          assert.ok((text as string).trim(), `en-US ${key} is empty`);
          const other = de.get(key);
          assert.strictEqual(typeof other, 'string', `de ${key} is not a string`);
          assert.ok((other as string).trim(), `de ${key} is empty`);
          assert.deepStrictEqual(placeholders(other as string), placeholders(text as string), `placeholders of ${key}`);
        }
      });

      for (const lang of LANGS) {
        it(`has a ${lang} help file in Node-RED style`, () => {
          const rel = `dist/nodes/locales/${lang}/${type}.html`;
          assert.ok(exists(rel), `${rel} is missing`);
          const help = read(rel);
          assert.match(help, new RegExp(`<script type="text/html" data-help-name="${type}">`));
          assert.match(help, /class="message-properties"/);
          assert.match(help, /<p>/);
          if (type !== 'webtapi-config' && info.inputs !== 0) {
            for (const code of ['WEBTAPI_INVALID_INPUT', 'WEBTAPI_TIMEOUT', 'WEBTAPI_LOGIN_FAILED']) {
              assert.ok(help.includes(code), `${rel} does not mention ${code}`);
            }
            assert.ok(
              help.includes('msg.webtapi') || type === 'webtapi-status-watch' || type === 'webtapi-call-monitor',
              `${rel}: msg.webtapi`,
            );
          }
        });
      }

      if (info.icon) {
        it('references an icon that exists', () => {
          const def = definition(type);
          assert.strictEqual(def.icon, info.icon);
          const icon = `icons/${info.icon}`;
          assert.ok(exists(icon), `${icon} is missing`);
          const svg = read(icon);
          assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
          assert.match(svg, /viewBox="0 0 40 60"/);
        });
      }

      for (const kind of info.pickLists) {
        it(`offers the ${kind} pick list from the runtime`, () => {
          const html = read(`dist/${htmlPath}`);
          assert.match(html, new RegExp(`<datalist id="webtapi-options-${kind}">`));
          assert.match(html, new RegExp(`W\\.pickLists\\(\\["${kind}"\\]\\)`), `${htmlPath} does not fill the ${kind} list`);
          assert.match(read(SHARED_JS), /"metasec-webtapi\/" \+ encodeURIComponent\(id\) \+ "\/options\/" \+ kind/);
          assert.match(html, /id="webtapi-options-hint"/);
        });
      }
    });
  }

  describe('every icon file is referenced and well-formed', () => {
    it('has only icons some node uses', () => {
      const used = new Set(
        Object.values(TYPES)
          .map((t) => t.icon)
          .filter((i): i is string => !!i),
      );
      const files = fs.readdirSync(`${ROOT}/icons`).filter((f) => f.endsWith('.svg'));
      for (const f of files) assert.ok(used.has(f), `icons/${f} is not used by any node`);
    });
  });

  describe('webtapi-config', () => {
    it('has every runtime status text with its placeholders', () => {
      for (const lang of LANGS) {
        const keys = locale(lang, 'webtapi-config');
        for (const [k, ph] of Object.entries(STATUS_KEYS)) {
          const text = keys.get(`webtapi-config.status.${k}`);
          assert.strictEqual(typeof text, 'string', `${lang}: webtapi-config.status.${k} is missing`);
          assert.deepStrictEqual(placeholders(text as string), ph, `${lang}: placeholders of status.${k}`);
        }
      }
    });

    it('has a text per WEBTAPI_* error code', () => {
      for (const lang of LANGS) {
        const keys = locale(lang, 'webtapi-config');
        for (const code of ERROR_CODE_NAMES) {
          assert.strictEqual(
            keys.get(`webtapi-config.errors.${code}`),
            ERROR_CODES[code].hint[lang as 'en-US' | 'de'],
            `${lang}: webtapi-config.errors.${code}`,
          );
        }
      }
    });

    it('has the test-connection button posting to the admin route', () => {
      const html = read('nodes/webtapi-config.html');
      assert.match(html, /id="webtapi-config-test"/);
      assert.match(html, /id="webtapi-config-test-result"/);
      assert.match(html, /url: "metasec-webtapi\/test-connection"/);
      assert.match(html, /type: "POST"/);
      assert.match(html, /contentType: "application\/json"/);
      // a text for every code of the registry, none listed by hand
      assert.match(html, /if \(W\.isErrorCode\(code\)\) \{\s*showResult\(false, _t\("webtapi-config\.errors\." \+ code\)/);
      assert.doesNotMatch(html, /"webtapi-config\.errors\.WEBTAPI_/);
    });

    it('validates url, timeout and concurrency', () => {
      const t = 'webtapi-config';
      assert.ok(valid(t, 'url', 'http://127.0.0.1:9998/webtapi/webtapi.php'));
      assert.ok(valid(t, 'url', 'https://pbx.example:9998/webtapi/webtapi.php'));
      assert.ok(!valid(t, 'url', 'ftp://pbx/webtapi.php'));
      assert.ok(!valid(t, 'url', 'pbx:9998'));
      assert.ok(!valid(t, 'url', ''));
      assert.ok(valid(t, 'timeout', 100));
      assert.ok(valid(t, 'timeout', '10000'));
      assert.ok(!valid(t, 'timeout', 99));
      assert.ok(!valid(t, 'timeout', 'soon'));
      assert.ok(valid(t, 'concurrency', 1));
      assert.ok(valid(t, 'concurrency', '64'));
      assert.ok(!valid(t, 'concurrency', 0));
      assert.ok(!valid(t, 'concurrency', 65));
    });

    it('labels itself by name, else by host', () => {
      assert.strictEqual(label('webtapi-config', {}), '127.0.0.1:9998');
      assert.strictEqual(label('webtapi-config', { name: 'PBX' }), 'PBX');
    });
  });

  describe('labels', () => {
    const cases: [string, Json, string][] = [
      ['webtapi-call', { dst: '1001' }, 'call 1001'],
      ['webtapi-call', { mode: 'prio', dst: '1001' }, 'prio call 1001'],
      ['webtapi-call', { mode: 'conference', stations: '1001, 1002' }, 'conference 1001,1002'],
      ['webtapi-call', { mode: 'pickup', chan: 'SIP/1-1', dst: '1004' }, 'pickup \u2192 1004'],
      ['webtapi-call', { dst: 'payload', dstType: 'msg' }, 'call msg.payload'],
      ['webtapi-call', { dst: '1001', name: 'Reception' }, 'Reception'],
      ['webtapi-hangup', { target: '1004' }, 'hang up 1004'],
      ['webtapi-queue-agent', { queue: 'VMX' }, 'queue VMX'],
      ['webtapi-queue-agent', { queue: 'VMX', operation: 'login' }, 'queue VMX login'],
      ['webtapi-queue-agent', { queue: 'VMX', operation: 'waiting' }, 'queue VMX waiting'],
      ['webtapi-relay-set', { relay: '17', pulse: 3000 }, 'relay 17 pulse 3s'],
      ['webtapi-relay-set', { relay: '17', pulse: '3000' }, 'relay 17 pulse 3s'],
      ['webtapi-relay-set', { relay: '17' }, 'relay 17'],
      ['webtapi-relay-set', { relay: '17', relayStatus: 'on' }, 'relay 17 on'],
      ['webtapi-relay-set', { relay: '17', relayStatus: 'toggle' }, 'relay 17 toggle'],
      ['webtapi-cam-snapshot', { camera: '44' }, 'camera 44'],
      ['webtapi-cam-stream', { camera: '44' }, 'stream 44'],
      ['webtapi-cam-stream', { camera: 'door', cameraType: 'env' }, 'stream ${door}'],
      ['webtapi-status-watch', { extensions: '1001,1004' }, 'watch 1001,1004'],
      ['webtapi-status-watch', {}, 'watch all'],
      ['webtapi-request', { action: 'call_list_all' }, 'request call_list_all'],
      ['webtapi-request', { action: 'q_list', name: 'Queues' }, 'Queues'],
    ];
    for (const [type, props, expected] of cases) {
      it(`${type} ${JSON.stringify(props)} → "${expected}"`, () => {
        assert.strictEqual(label(type, props), expected);
      });
    }
    it('reads an old node without <field>Type as a plain string', () => {
      assert.strictEqual(label('webtapi-call', { dst: '1001', dstType: undefined }), 'call 1001');
    });
  });

  describe('validators', () => {
    it('checks the number ranges', () => {
      assert.ok(valid('webtapi-status-watch', 'interval', 250));
      assert.ok(!valid('webtapi-status-watch', 'interval', 249));
      assert.ok(valid('webtapi-relay-set', 'pulse', 0));
      assert.ok(valid('webtapi-relay-set', 'pulse', '3000'));
      assert.ok(!valid('webtapi-relay-set', 'pulse', -1));
      assert.ok(valid('webtapi-relay-set', 'maxPulse', 60000));
      assert.ok(valid('webtapi-relay-set', 'maxPulse', '1000'));
      assert.ok(!valid('webtapi-relay-set', 'maxPulse', 999));
      assert.ok(!valid('webtapi-relay-set', 'maxPulse', 86400001));
      assert.ok(valid('webtapi-relay-set', 'maxPulse', 5000, { pulse: 5000 }));
      assert.ok(!valid('webtapi-relay-set', 'maxPulse', 5000, { pulse: 5001 }), "a maxPulse below the dialog's own pulse");
      assert.ok(valid('webtapi-queue-agent', 'position', ''));
      assert.ok(valid('webtapi-queue-agent', 'position', '3'));
      assert.ok(!valid('webtapi-queue-agent', 'position', '0'));
    });

    it('checks plain-string TypedInput values and leaves other types to the editor', () => {
      assert.ok(valid('webtapi-call', 'dst', '1001'));
      assert.ok(!valid('webtapi-call', 'dst', '10 01'));
      assert.ok(valid('webtapi-call', 'dst', 'payload.to', { dstType: 'msg' }));
      assert.ok(valid('webtapi-call', 'stations', '1001, 1002'));
      assert.ok(valid('webtapi-hangup', 'target', 'SIP/1004-0000003a'));
      assert.ok(valid('webtapi-hangup', 'target', '1004'));
      assert.ok(!valid('webtapi-hangup', 'target', 'SIP/../x'));
      assert.ok(valid('webtapi-relay-set', 'relayStatus', 'toggle'));
      assert.ok(valid('webtapi-relay-set', 'relayStatus', '255'));
      assert.ok(!valid('webtapi-relay-set', 'relayStatus', '256'));
      assert.ok(!valid('webtapi-relay-set', 'relayStatus', 'open'));
      assert.ok(valid('webtapi-cam-snapshot', 'camera', '44'));
      assert.ok(!valid('webtapi-cam-snapshot', 'camera', '44/../1'));
      assert.ok(valid('webtapi-request', 'params', '{"q_name":"VMX"}'));
      assert.ok(!valid('webtapi-request', 'params', '[1]'));
      assert.ok(!valid('webtapi-request', 'params', '{'));
      assert.ok(valid('webtapi-request', 'action', ''));
      assert.ok(!valid('webtapi-request', 'action', 'login'));
    });
  });

  describe('shared editor script (resources/webtapi-editor.js)', () => {
    /** The namespace the script defines, run in a fresh stand-in window. */
    function namespace(): Json {
      const env = standIn(new Map());
      run(env, read(SHARED_JS));
      const ns = env.window.MetasecWebtapiEditor;
      assert.ok(isObject(ns), `${SHARED_JS} does not define window.MetasecWebtapiEditor`);
      return ns;
    }

    it('exists at the top-level resources/ directory Node-RED serves, and the package ships it', () => {
      assert.ok(exists(SHARED_JS), `${SHARED_JS} is missing`);
      const pkg = JSON.parse(read('package.json')) as { files?: string[] };
      assert.ok(
        pkg.files?.some((f) => f === 'resources' || f === 'resources/' || f === SHARED_JS),
        `package.json "files" does not ship ${SHARED_JS}`,
      );
    });

    for (const type of Object.keys(TYPES)) {
      it(`is loaded by ${type}.html before its own script`, () => {
        const html = read(`dist/nodes/${type}.html`);
        const tag = html.indexOf(SHARED_TAG);
        assert.ok(tag !== -1, `dist/nodes/${type}.html does not load it with ${SHARED_TAG}`);
        assert.strictEqual(html.indexOf(SHARED_TAG, tag + 1), -1, 'loaded twice');
        const own = html.indexOf('<script type="text/javascript">');
        assert.ok(own > tag, "the shared script must come before the node's script");
        assert.ok(html.includes(`window.MetasecWebtapiEditor.forType("${type}")`), 'helpers for another type');
      });
    }

    it('leaves no copy of a shared helper in the html files', () => {
      const ns = namespace();
      const names = [...Object.keys(ns), ...Object.keys((ns.forType as (t: string) => Json)('webtapi-call'))];
      assert.ok(names.includes('pickLists') && names.includes('typedValidator'), `exports: ${names.join(', ')}`);
      for (const type of Object.keys(TYPES)) {
        const html = read(`nodes/${type}.html`);
        for (const name of names) {
          // `var _t = W._t;` is an alias, not a copy
          const own = new RegExp(`(?:function\\s+${name}\\s*\\(|var\\s+${name}\\s*=(?!\\s*W\\.${name}\\b))`);
          assert.doesNotMatch(html, own, `nodes/${type}.html defines its own ${name}`);
        }
      }
    });

    it('keeps the first namespace when it runs again (every html loads it)', () => {
      const env = standIn(new Map());
      run(env, read(SHARED_JS));
      const first = env.window.MetasecWebtapiEditor;
      run(env, read(SHARED_JS));
      assert.ok(isObject(first));
      assert.strictEqual(env.window.MetasecWebtapiEditor, first);
      assert.ok(Object.isFrozen(first), 'a node file must not be able to change what the others use');
    });

    // one property per type whose validator fails for `bad`: the message is from that type's catalogue
    const messages: [string, string, unknown, unknown, string][] = [
      ['webtapi-config', 'url', 'http://pbx/webtapi.php', 'ftp://pbx', 'validation.url'],
      ['webtapi-config', 'concurrency', '${WEBTAPI_CONCURRENCY}', '${}', 'validation.concurrency'],
      ['webtapi-call', 'mode', 'conference', 'dial', 'validation.mode'],
      ['webtapi-call', 'dst', '1001', '10 01', 'validation.extension'],
      ['webtapi-call', 'stations', '1001, 1002', '1001,,1002', 'validation.stations'],
      ['webtapi-hangup', 'target', '${EXT}', 'SIP/../x', 'validation.target'],
      ['webtapi-queue-agent', 'operation', 'waiting', 'wait', 'validation.operation'],
      ['webtapi-queue-agent', 'position', '${POS}', '12345', 'validation.position'],
      ['webtapi-queue-agent', 'chan', 'SIP/1004-0000003a', '/SIP', 'validation.chan'],
      ['webtapi-relay-set', 'relay', '17', '17/1', 'validation.relay'],
      ['webtapi-relay-set', 'pulse', '', '1.5', 'validation.pulse'],
      ['webtapi-cam-snapshot', 'operation', 'record', 'stream', 'validation.operation'],
      ['webtapi-cam-snapshot', 'output', 'dataurl', 'base64', 'validation.output'],
      ['webtapi-status-watch', 'extensions', ' 1001 , 1004 ', '1001;1004', 'validation.extensions'],
      ['webtapi-status-watch', 'watchRelays', '17,door_1', '17,door 1', 'validation.watchRelays'],
      ['webtapi-status-watch', 'interval', '${POLL}', '', 'validation.interval'],
      ['webtapi-request', 'action', 'q_list', 'q_lists', 'validation.action'],
      ['webtapi-request', 'params', '', 'null', 'validation.params'],
      ['webtapi-call-monitor', 'extensions', '1001, 1004', '1001;1004', 'validation.extensions'],
      ['webtapi-call-monitor', 'events', 'ring,disconnect', 'ring,hangup', 'validation.events'],
      ['webtapi-call-monitor', 'interval', '${POLL}', '100', 'validation.interval'],
    ];
    for (const [type, prop, good, bad, key] of messages) {
      it(`${type}.${prop}: accepts ${JSON.stringify(good)}, rejects ${JSON.stringify(bad)} with ${type}.${key}`, () => {
        assert.strictEqual(answer(type, prop, good), true);
        assert.strictEqual(answer(type, prop, bad), `${MODULE}/${type}:${type}.${key}`);
        assert.strictEqual(definition(type).defaults[prop].validate?.call({}, bad), false, 'without opt: false');
      });
    }
  });

  describe('help pages assembled from nodes/help/<lang>/ parts', () => {
    const ASSETS = require(`${ROOT}/scripts/editor-assets.js`) as {
      assembleHelp: (t: string, lang: string) => string;
      editorScript: (t: string) => string;
    };
    // The poll followers (status watch, call monitor) send no request per message, a node without
    // input fails none: no error list.
    const nodeTypes = Object.keys(TYPES).filter(
      (t) => t !== 'webtapi-config' && t !== 'webtapi-status-watch' && t !== 'webtapi-call-monitor' && TYPES[t].inputs !== 0,
    );
    for (const lang of LANGS) {
      for (const type of nodeTypes) {
        it(`${lang}/${type}: the built error list is the registry's, the source has no copy`, () => {
          const source = read(`nodes/locales/${lang}/${type}.html`);
          assert.doesNotMatch(source, /<li><code>WEBTAPI_/, 'an error list written by hand: use <!-- include: errors -->');
          assert.match(source, /<!-- include: errors -->/);
          const built = read(`dist/nodes/locales/${lang}/${type}.html`);
          assert.doesNotMatch(built, /<!-- include|\{\{/, 'an include left unresolved');
          const listed = [...built.matchAll(/<li><code>(WEBTAPI_[A-Z_]+)<\/code>: ([^\n]*)<\/li>/g)].map((m) => [m[1], m[2]]);
          const expected = flowCodes().map((c) => [c, ERROR_CODES[c].meaning[lang as 'en-US' | 'de']]);
          assert.deepStrictEqual(listed, expected);
        });
      }
    }
    it('stops the build on an unknown part or a missing value', () => {
      assert.throws(
        () => ASSETS.assembleHelp('    <!-- include: no-such-part -->', 'en-US'),
        /no part nodes\/help\/en-US\/no-such-part.html/,
      );
      assert.throws(() => ASSETS.assembleHelp('    <!-- include: field-sources -->', 'en-US'), /needs primary=/);
    });
    it('writes each shared section once per language', () => {
      for (const lang of LANGS) {
        for (const part of fs.readdirSync(`${ROOT}/nodes/help/${lang}`)) {
          const heading = /<h4>[^<]+<\/h4>/.exec(read(`nodes/help/${lang}/${part}`))?.[0];
          if (!heading) continue;
          for (const type of Object.keys(TYPES)) {
            assert.ok(!read(`nodes/locales/${lang}/${type}.html`).includes(heading), `${lang}/${type}.html repeats ${heading} of ${part}`);
          }
        }
      }
    });
  });

  describe('validation rules shared with the client (src/client/validate.ts)', () => {
    const ASSETS = require(`${ROOT}/scripts/editor-assets.js`) as { editorScript: (t: string) => string };
    function editor(): Json {
      const env = standIn(new Map());
      run(env, read(SHARED_JS));
      return env.window.MetasecWebtapiEditor as Json;
    }
    const client =
      (v: (a: string, p: string, value: unknown) => string) =>
      (s: string): boolean => {
        try {
          v('x', 'y', s);
          return true;
        } catch {
          return false;
        }
      };

    it('has the rules block the build writes from the client', () => {
      const text = read(SHARED_JS);
      assert.strictEqual(ASSETS.editorScript(text), text, 'resources/webtapi-editor.js is stale: run the build');
    });

    const samples = [
      '1001',
      ' 1001 ',
      '*98#',
      '10 01',
      '',
      'a..b',
      '1.2',
      'SIP/1004-0000003a',
      'SIP/',
      '/SIP',
      'SIP/../x',
      'Local/1001@from-internal-00000001;2',
      'IAX2/pbx:4569/1001-1',
      'SIP/a/b',
      `SIP/${'a'.repeat(120)}`,
      `SIP/${'a'.repeat(121)}`,
      `${'a'.repeat(130)}/x`,
      'door_1',
      'door-1',
      'x'.repeat(33),
      'VMX',
      'q.1',
      'q..1',
      '-1',
      '0',
      '255',
      '256',
      '9999',
      '10000',
      '0255',
    ];
    const pairs: [string, (s: string) => boolean][] = [
      ['isExt', client(validators.extension)],
      ['isChan', client(validators.channel)],
      ['isQueue', client(validators.queue)],
      ['isId', client(validators.relayId)],
      ['isExtList', client(validators.extensionList)],
    ];
    for (const [name, accepts] of pairs) {
      it(`${name} accepts exactly what the client accepts`, () => {
        const check = editor()[name] as (s: string) => boolean;
        for (const s of samples) assert.strictEqual(check(s), accepts(s), `${name}(${JSON.stringify(s)})`);
      });
    }
    it('inRange("relayStatus") and inRange("position") accept exactly what the client accepts', () => {
      const inRange = editor().inRange as (n: string) => (s: string) => boolean;
      for (const s of samples) {
        assert.strictEqual(inRange('relayStatus')(s), s !== '' && client(validators.relayStatus)(s), `relayStatus ${s}`);
        assert.strictEqual(inRange('position')(s), s !== '' && client(validators.position)(s), `position ${s}`);
      }
    });
    it("docs/protocol.md lists the client's rules as they are", () => {
      const doc = read('docs/protocol.md');
      const section = doc.slice(doc.indexOf('## Validation'), doc.indexOf('\n## ', doc.indexOf('## Validation') + 1) >>> 0);
      const documented = [...section.matchAll(/\| `(\^[^`]*)` \|/g)].map((m) => m[1]).sort();
      assert.deepStrictEqual(documented, Object.values(EDITOR_RULES.patterns).sort());
      for (const { min, max } of Object.values(EDITOR_RULES.ranges))
        assert.ok(section.includes(`integer ${min}..${max}`), `${min}..${max}`);
    });
    it('knows every error code of the registry', () => {
      const isErrorCode = editor().isErrorCode as (c: string) => boolean;
      for (const code of ERROR_CODE_NAMES) assert.ok(isErrorCode(code), code);
      assert.ok(!isErrorCode('WEBTAPI_NOPE'));
    });
    it("webtapi-request offers each action with the client's parameters, and examples the client accepts", () => {
      const html = read('nodes/webtapi-request.html');
      for (const m of html.matchAll(/^ {12}(\w+): \{ params: \[([^\]]*)\](?:, example: (\{.*\}))? \},?$/gm)) {
        const spec = CLIENT_ACTIONS.get(m[1]);
        assert.ok(spec, `${m[1]} is not a documented action`);
        const params = m[2] ? m[2].split(',').map((p) => JSON.parse(p.trim()) as string) : [];
        assert.deepStrictEqual(
          params,
          Object.entries(spec.params).map(([k, p]) => (p.required ? k : `${k}?`)),
          m[1],
        );
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the object literal from the editor file's text
        if (m[3]) for (const [k, v] of Object.entries(new Function(`return ${m[3]}`)() as Json)) spec.params[k].validate(m[1], k, v);
      }
    });
  });

  describe('webtapi-request', () => {
    it('offers the 30 documented actions and "from msg.action"', () => {
      const html = read('nodes/webtapi-request.html');
      const select = /<select id="node-input-action"[^>]*>([\s\S]*?)<\/select>/.exec(html);
      assert.ok(select, 'no action select');
      // the dialog adds an option per action of its table, by area, when it opens
      assert.deepStrictEqual(
        [...select[1].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]),
        [''],
      );
      const table = /var GROUPS = \{\n([\s\S]*?)\n {4}\};/.exec(html);
      assert.ok(table, 'no GROUPS table');
      const values = [...table[1].matchAll(/^ {12}(\w+): \{ params:/gm)].map((m) => m[1]);
      assert.deepStrictEqual(values.sort(), [...ACTIONS].sort());
      for (const a of ACTIONS) assert.ok(valid('webtapi-request', 'action', a), a);
    });
  });

  describe('webtapi-cam-snapshot', () => {
    it('has the preview button and image', () => {
      const html = read('nodes/webtapi-cam-snapshot.html');
      assert.match(html, /id="webtapi-cam-preview"/);
      assert.match(html, /<img id="webtapi-cam-preview-img"/);
      assert.match(html, /"\/cameras\/" \+ encodeURIComponent\(cam\) \+ "\/snapshot\?t=" \+ Date\.now\(\)/);
    });
  });
});
