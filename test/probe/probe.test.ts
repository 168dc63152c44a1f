import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTIONS } from '../../dist/client';
import { runProbe, type ProbeReport } from '../../dist/probe/probe';
import type { Capture } from '../../dist/probe/capture';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { PKG, PLAIN_READS } from './kit';
import { echoedForms, startOddPbx, type OddPbx } from './odd-pbx';

const BIN = path.join(__dirname, '..', '..', 'dist', 'probe', 'bin.js');
const SIM_PASSWORD = 'Se cret&pa55=word';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBin(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.write(stdin);
    child.stdin.end();
  });
}

function verdict(report: ProbeReport, start: string): string {
  const v = report.verdicts.find((x) => x.assumption.startsWith(start));
  assert.ok(v, `no verdict on "${start}"`);
  return v.verdict;
}

/** The capture holds neither the password, nor a session id, nor the user name outside `<user>`. */
function assertNoSecrets(capture: Capture | string, secrets: { password: string; sids: Iterable<string>; user: string }): void {
  const text = typeof capture === 'string' ? capture : JSON.stringify(capture);
  assert.ok(!text.includes(secrets.password), 'the password is in the capture');
  for (const encoded of [encodeURIComponent(secrets.password), encodeURIComponent(secrets.password).replace(/%20/g, '+')]) {
    assert.ok(!text.includes(encoded), 'the password (URL-encoded) is in the capture');
  }
  for (const sid of secrets.sids) assert.ok(!text.includes(sid), 'a session id is in the capture');
  assert.doesNotMatch(text, new RegExp(`(?<![A-Za-z0-9])${secrets.user}(?![A-Za-z0-9])`), 'the user name is in the capture');
}

describe('webtapi-probe', () => {
  describe('against the simulator', () => {
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ port: 0, users: { 1004: SIM_PASSWORD } });
    });
    after(async () => {
      await sim.close();
    });

    it('sends every read-only action, and nothing else; every assumption holds', async () => {
      const report = await runProbe({ url: sim.url, user: '1004', password: SIM_PASSWORD, media: true, ...PKG });
      assert.equal(report.ok, true, report.reason);
      const sent = new Set(sim.requests.map((r) => r.action));
      for (const action of [
        ...PLAIN_READS,
        'agent_list',
        'q_call_list',
        'q_waiting_list',
        'relay_status_get',
        'vmx_cam_get_pic',
        'vmx_cam_get_stream',
      ])
        assert.ok(sent.has(action), action);
      for (const r of sim.requests)
        if (r.action !== 'login') assert.equal(ACTIONS.get(r.action)?.sideEffect, false, `${r.action} has a side effect`);
      assert.deepEqual(sim.stats.executed, {});
      assert.deepEqual(
        sim.requests.filter((r) => r.action === 'agent_list').map((r) => r.params.q_name),
        ['VMX', 'SUPPORT'],
      );
      assert.deepEqual(
        sim.requests.filter((r) => r.action === 'relay_status_get').map((r) => r.params.relay_id),
        ['17', '18', '19'],
      );
      for (const v of report.verdicts) assert.notEqual(v.verdict, 'differs', `${v.assumption}: ${v.detail}`);
      const all = report.rows.find((r) => r.action === 'call_list_all');
      assert.deepEqual([all?.status, all?.shape, all?.items, all?.lineEndings], [200, 'concise×2', 2, 'LF']);
      const pic = report.capture.entries.find((e) => e.action === 'vmx_cam_get_pic');
      assert.ok(pic?.base64 && pic.sha256 && pic.head?.startsWith('ffd8'));
    });

    it('writes a capture without the password or a session id, the user name as <user>', async () => {
      const report = await runProbe({ url: sim.url, user: '1004', password: SIM_PASSWORD, ...PKG });
      assertNoSecrets(report.capture, { password: SIM_PASSWORD, sids: sim.sessions, user: '1004' });
      assert.ok(sim.sessions.size >= 1, 'the simulator gave out session ids to look for');
      const status = report.capture.entries.find((e) => e.action === 'call_status_get');
      assert.match(status?.text ?? '', /^<user>:0$/m);
      assert.equal(report.capture.packageVersion, 'test');
      assert.equal(report.capture.media, false);
      assert.ok(
        report.capture.entries.every((e) => e.base64 === undefined),
        'no whole pictures without --media',
      );
    });

    it('as a command: table and verdicts, --json, --save; exit 0; the password from WEBTAPI_PASSWORD or piped input, never argv', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
      try {
        const file = path.join(dir, 'capture.json');
        const table = await runBin(['--url', sim.url, '--user', '1004', '--save', file], { WEBTAPI_PASSWORD: SIM_PASSWORD });
        assert.equal(table.code, 0, table.stderr);
        assert.match(table.stdout, /^action\s+http\s+type\s+bytes\s+lines\s+eol\s+shape\s+items\s+first line/m);
        assert.match(table.stdout, /^call_list_all\s+200\s+text\/plain\s+\d+\s+2\s+LF\s+concise×2\s+2\s+"SIP\/trunk-/m);
        assert.match(table.stdout, /HOLDS\s+call_status_get/);
        const saved = fs.readFileSync(file, 'utf8');
        assert.equal((JSON.parse(saved) as Capture).format, 'webtapi-capture');
        assertNoSecrets(saved, { password: SIM_PASSWORD, sids: sim.sessions, user: '1004' });
        const json = await runBin(['--url', sim.url, '--user', '1004', '--json'], {}, `${SIM_PASSWORD}\n`);
        assert.equal(json.code, 0, json.stderr);
        const report = JSON.parse(json.stdout) as ProbeReport;
        assert.equal(report.ok, true);
        assert.ok(report.rows.length >= 13 && report.verdicts.length >= 9);
        const argv = await runBin(['--url', sim.url, '--user', '1004', '--password', SIM_PASSWORD], {});
        assert.equal(argv.code, 2);
        assert.match(argv.stderr, /never taken from the command line/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('exits 1 with the reason when the login fails or nothing answers', async () => {
      const wrong = await runBin(['--url', sim.url, '--user', '1004'], { WEBTAPI_PASSWORD: 'wrong' });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /login failed: the PBX refused user "1004"/);
      const closed = await startSimulator({ port: 0 });
      const url = closed.url;
      await closed.close();
      const down = await runBin(['--url', url, '--user', '1004'], { WEBTAPI_PASSWORD: 'x' });
      assert.equal(down.code, 1);
      assert.match(down.stdout, /login failed: WEBTAPI_UNREACHABLE/);
    });
  });

  describe('against a PBX with differently shaped answers', () => {
    let pbx: OddPbx;
    afterEach(async () => {
      await pbx.close();
    });

    it('reads every answer, says which assumptions differ, and keeps secrets out of the capture', async () => {
      pbx = await startOddPbx();
      const report = await runProbe({ url: pbx.url, user: pbx.user, password: pbx.password, ...PKG });
      assert.equal(report.ok, true, report.reason);
      const row = (action: string, param?: string) =>
        report.rows.find((r) => r.action === action && (param === undefined || Object.values(r.params).includes(param)));
      assert.equal(row('q_list')?.shape, 'queue show: queue×2 member×2 caller×1');
      assert.equal(row('q_list')?.lineEndings, 'CRLF');
      assert.equal(row('call_status_get')?.shape, 'states×3');
      assert.equal(row('call_list_all')?.shape, 'concise×2');
      assert.equal(row('call_list')?.shape, 'channel×1');
      assert.equal(row('relay_list')?.shape, 'pairs×2');
      assert.equal(row('agent_list', 'VMX')?.shape, 'member×2');
      assert.equal(row('relay_status_get')?.error?.startsWith('WEBTAPI_BAD_RESPONSE'), true, 'a relay status "on" is reported, not fatal');
      assert.deepEqual(
        report.rows.filter((r) => r.action === 'agent_list').map((r) => r.params.q_name),
        ['VMX', 'SUPPORT'],
        'queue names from `queue show`',
      );
      assert.deepEqual(
        report.rows.filter((r) => r.action === 'relay_status_get').map((r) => r.params.relay_id),
        ['17', '18'],
        'relay ids from key=value pairs',
      );
      for (const a of ['Channel lists', 'call_status_get', 'q_list', 'agent_list', 'relay_list', 'vmx_cam_list', 'relay_status_get']) {
        assert.equal(verdict(report, a), 'differs', a);
      }
      assert.equal(verdict(report, 'call_record_list'), 'holds');
      assert.equal(verdict(report, 'Lines end'), 'holds');
      assertNoSecrets(report.capture, { password: pbx.password, sids: pbx.sids, user: pbx.user });
      const rec = report.capture.entries.find((e) => e.action === 'call_record_list');
      assert.equal(rec?.text, 'rec-<sid>-<password>.wav\r\nrec-2.wav\r\n');
      assert.ok(report.capture.entries.find((e) => e.action === 'call_list')?.text?.startsWith('SIP/<user>-00000001'));
    });

    it('redacts every encoding of an echoed password (form, URL, JSON) in the capture, the table and --json; --save writes 0600', async () => {
      const password = 'pr0be "Pass"/wörd&x=1';
      pbx = await startOddPbx({ password, echoForms: true });
      const forms = echoedForms(password);
      assert.equal(new Set(forms).size, forms.length, 'six different forms');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-echo-'));
      try {
        const file = path.join(dir, 'capture.json');
        fs.writeFileSync(file, 'an older, shared file', { mode: 0o644 });
        const table = await runBin(['--url', pbx.url, '--user', pbx.user, '--save', file], { WEBTAPI_PASSWORD: password });
        const json = await runBin(['--url', pbx.url, '--user', pbx.user, '--json'], { WEBTAPI_PASSWORD: password });
        const saved = fs.readFileSync(file, 'utf8');
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        for (const [name, text] of [
          ['capture', saved],
          ['table', table.stdout + table.stderr],
          ['json', json.stdout],
        ]) {
          for (const form of forms) assert.ok(!text.includes(form), `${name} holds the password as ${form}`);
        }
        const rec = (JSON.parse(saved) as Capture).entries.find((e) => e.action === 'call_record_list');
        assert.deepEqual(
          rec?.text?.trim().split('\r\n'),
          forms.map((_, i) => `rec-${i}-<password>.wav`),
        );
        assert.match(table.stdout, /"rec-0-<password>\.wav"/, 'the table shows the answer, redacted');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a login answered with a dump of the login body: no form of the password in the capture, a short one neither', async () => {
      for (const password of ['pr0be "Pass"/wörd&x=1', 'a b&']) {
        pbx = await startOddPbx({ password, echoLogin: true });
        const report = await runProbe({ url: pbx.url, user: pbx.user, password, ...PKG });
        assert.equal(report.login.ok, false);
        const login = report.capture.entries.find((e) => e.action === 'login');
        assert.match(login?.text ?? '', /AUTH%5Bpass%5D=(\[redacted\]|<password>)/, 'the dump is kept, redacted');
        const text = JSON.stringify(report.capture);
        for (const form of echoedForms(password))
          assert.ok(
            !new RegExp(`(?<![A-Za-z0-9])${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`).test(text),
            `the capture holds ${form}`,
          );
        await pbx.close();
      }
      pbx = await startOddPbx();
    });

    it('exits 1 naming the read that got no answer', async () => {
      pbx = await startOddPbx({ brokenRelayStatus: true });
      const run = await runBin(['--url', pbx.url, '--user', pbx.user, '--json'], { WEBTAPI_PASSWORD: pbx.password });
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as ProbeReport;
      assert.match(report.reason ?? '', /relay_status_get \(WEBTAPI_HTTP_STATUS/);
      assert.equal(report.rows.find((r) => r.action === 'relay_status_get')?.status, 500);
    });
  });
});
