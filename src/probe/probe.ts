import { performance } from 'node:perf_hooks';
import { ACTIONS } from '../client/actions';
import { parseAnswer } from '../client/answer';
import { HttpStatusError, WebTapiError, messageOf } from '../client/errors';
import { readStateLine } from '../client/ext-states';
import { readItems, stripOutputPrefix } from '../client/line-items';
import type { CameraInfo, QueueListItem, RelayInfo } from '../client/parsers';
import { Answer, TlsOptions, Transport } from '../client/transport';
import { Capture, CaptureEntry, Redaction, answerEntry, isReadOnly, publicUrl, redact, redactParams } from './capture';
import { Verdict, verdicts } from './verdicts';

export interface ProbeOptions {
  url: string;
  user: string;
  password: string;
  /** Also fetch pictures and a short stream excerpt, and keep them whole in the capture. */
  media?: boolean;
  timeoutMs?: number;
  tls?: TlsOptions;
  /** How long to read vmx_cam_get_stream (default 1500 ms). */
  streamMs?: number;
  /** How many of the queues, relays and cameras the lists name are probed further (default 3). */
  followUps?: number;
  packageName: string;
  packageVersion: string;
}

/** One action as the probe saw it: one row of the table. */
export interface ProbeRow {
  action: string;
  params: Record<string, string>;
  status?: number;
  contentType?: string;
  bytes?: number;
  /** Non-blank lines of a text answer. */
  lines?: number;
  lineEndings?: 'LF' | 'CRLF' | 'CR' | 'mixed' | 'none';
  /** The shapes the parser recognised (`concise×3`, `queue show: queue×1 member×2`, `image/jpeg`...). */
  shape: string;
  /** Items (or states) parsed; absent where the answer is no list. */
  items?: number;
  firstLine?: string;
  /** Why the action has no usable answer. */
  error?: string;
}

export interface ProbeReport {
  ok: boolean;
  /** Why ok is false. */
  reason?: string;
  login: { ok: boolean; status?: number; error?: string };
  rows: ProbeRow[];
  verdicts: Verdict[];
  capture: Capture;
}

const LISTS = ['call_list', 'call_list_all', 'call_status_get', 'call_record_list', 'q_list', 'vmx_cam_list', 'relay_list'];
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

function lineEndings(text: string): ProbeRow['lineEndings'] {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const cr = (text.match(/\r/g) ?? []).length - crlf;
  const kinds = [crlf > 0, lf > 0, cr > 0].filter(Boolean).length;
  if (kinds === 0) return 'none';
  if (kinds > 1) return 'mixed';
  return crlf > 0 ? 'CRLF' : lf > 0 ? 'LF' : 'CR';
}

/** What shapes the answer's lines have, counted. */
function shapeOf(entry: CaptureEntry, result: unknown): string {
  if (entry.text === undefined) return entry.contentType?.split(';')[0] || 'binary';
  const text = entry.text.trim();
  if (typeof result === 'number') return 'number';
  if (text === '') return 'empty';
  if (text === '0') return 'zero';
  if (result === true) return 'boolean';
  if (entry.action === 'call_status_get') {
    const all = entry.text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
    const read = all.filter((l) => readStateLine(stripOutputPrefix(l)) !== null).length;
    return read === all.length ? `states×${read}` : `states×${read} other×${all.length - read}`;
  }
  const items = readItems(entry.text);
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.shape, (counts.get(item.shape) ?? 0) + 1);
  const shapes = [...counts].map(([k, n]) => `${k}×${n}`).join(' ');
  return items.some((i) => i.shape !== 'concise' && i.section !== undefined) ? `queue show: ${shapes}` : shapes;
}

function row(entry: CaptureEntry, result: unknown, error?: string): ProbeRow {
  const r: ProbeRow = { action: entry.action, params: entry.params, shape: error ? 'error' : shapeOf(entry, result) };
  if (entry.status !== undefined) r.status = entry.status;
  if (entry.contentType !== undefined) r.contentType = entry.contentType;
  if (entry.bytes !== undefined) r.bytes = entry.bytes;
  if (entry.text !== undefined) {
    const lines = entry.text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
    r.lines = lines.length;
    r.lineEndings = lineEndings(entry.text.replace(/(\r\n|\n|\r)+$/, ''));
    if (lines.length > 0) r.firstLine = lines[0].length > 80 ? `${lines[0].slice(0, 79)}…` : lines[0];
  }
  if (Array.isArray(result)) r.items = result.length;
  else if (result && typeof result === 'object' && !Buffer.isBuffer((result as { data?: unknown }).data))
    r.items = Object.keys(result).length;
  if (error) r.error = error;
  return r;
}

/** Names the list answers give for the follow-up actions. */
function named(action: string, result: unknown, max: number): string[] {
  if (!Array.isArray(result)) return [];
  const names =
    action === 'q_list'
      ? (result as QueueListItem[]).map((q) =>
          q.shape !== 'concise' && (q.section === undefined || q.section === 'queue') ? q.name : undefined,
        )
      : (result as Array<RelayInfo | CameraInfo>).map((x) => x.id);
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(n)))].slice(0, max);
}

/**
 * Logs in and sends every read-only action once (and, for the first few queues, relays and
 * cameras the lists name, the per-item reads). Never an action with a side effect.
 */
export async function runProbe(o: ProbeOptions): Promise<ProbeReport> {
  const transport = new Transport({
    url: o.url,
    timeoutMs: o.timeoutMs ?? 10_000,
    concurrency: 1,
    tls: o.tls,
    maxTextBytes: 4 * 1024 * 1024,
    maxBinaryBytes: 32 * 1024 * 1024,
  });
  const sids: string[] = [];
  const redaction: Redaction = {
    user: o.user,
    password: o.password,
    get sids() {
      return sids;
    },
  };
  const capture: Capture = {
    format: 'webtapi-capture',
    formatVersion: 1,
    package: o.packageName,
    packageVersion: o.packageVersion,
    capturedAt: new Date().toISOString(),
    url: publicUrl(o.url),
    media: o.media === true,
    entries: [],
  };
  const report: ProbeReport = { ok: false, login: { ok: false }, rows: [], verdicts: [], capture };
  try {
    const sid = await login(transport, o, report, redaction);
    if (sid === null) return report;
    sids.push(sid);
    const read = (action: string, params: Record<string, string> = {}) => readAction(transport, sid, action, params, o, report, redaction);
    const results = new Map<string, unknown>();
    for (const action of LISTS) results.set(action, await read(action));
    const n = o.followUps ?? 3;
    for (const q of named('q_list', results.get('q_list'), n)) {
      for (const action of ['agent_list', 'q_call_list', 'q_waiting_list']) await read(action, { q_name: q });
    }
    for (const id of named('relay_list', results.get('relay_list'), n)) await read('relay_status_get', { relay_id: id });
    if (o.media) {
      for (const id of named('vmx_cam_list', results.get('vmx_cam_list'), n)) {
        await read('vmx_cam_get_pic', { CAMID: id });
        await read('vmx_cam_get_stream', { CAMID: id });
      }
    }
    report.verdicts = verdicts(capture.entries, report.login.ok, o.media === true);
    const failed = report.rows.filter(
      (r) => (r.error !== undefined && r.status === undefined) || (r.status !== undefined && (r.status < 200 || r.status > 299)),
    );
    report.ok = failed.length === 0;
    if (!report.ok)
      report.reason = `${failed.length} read(s) got no answer: ${failed.map((r) => `${r.action} (${r.error ?? `HTTP ${r.status}`})`).join(', ')}`;
    return report;
  } finally {
    await transport.close();
  }
}

async function login(transport: Transport, o: ProbeOptions, report: ProbeReport, r: Redaction): Promise<string | null> {
  const form = (v: string) => encodeURIComponent(v.replace(/\p{Cs}/gu, '\ufffd')).replace(/%20/g, '+');
  const entry: CaptureEntry = { action: 'login', params: { 'AUTH[user]': '<user>', 'AUTH[pass]': '(not saved)' } };
  report.capture.entries.push(entry);
  let answer: Answer;
  try {
    answer = await transport.send({
      action: 'login',
      method: 'POST',
      query: 'action=login',
      binary: false,
      sideEffect: false,
      body: `action=login&AUTH%5Buser%5D=${form(o.user)}&AUTH%5Bpass%5D=${form(o.password)}`,
    });
  } catch (err) {
    entry.error = describe(err, r);
    if (err instanceof HttpStatusError) entry.status = err.statusCode;
    report.login = { ok: false, status: entry.status, error: entry.error };
    report.reason = `login failed: ${entry.error}`;
    return null;
  }
  Object.assign(entry, { status: answer.status, contentType: answer.contentType, bytes: answer.body.length });
  const text = answer.body.toString('utf8').trim();
  const error =
    text === '0'
      ? `the PBX refused user "${o.user}" (wrong user name or password)`
      : !SESSION_ID.test(text) || text.includes('<')
        ? 'the answer is not a session id: not a WebTAPI endpoint?'
        : null;
  // The report is the user's own (their user name in it helps); the capture is for others.
  report.login = { ok: error === null, status: answer.status, ...(error ? { error } : {}) };
  if (error) {
    entry.error = redact(error, r);
    // A refusal is worth seeing; a session id never is.
    if (text === '0' || text.includes('<')) entry.text = redact(answer.body.toString('utf8').slice(0, 2048), { ...r, sids: [] });
    report.reason = `login failed: ${error}`;
    return null;
  }
  entry.text = '<sid>';
  return text;
}

function describe(err: unknown, r: Redaction): string {
  const text = err instanceof WebTapiError ? `${err.code}: ${err.message}` : messageOf(err);
  return redact(text, r);
}

async function readAction(
  transport: Transport,
  sid: string,
  action: string,
  params: Record<string, string>,
  o: ProbeOptions,
  report: ProbeReport,
  r: Redaction,
): Promise<unknown> {
  const spec = ACTIONS.get(action);
  // The probe's one promise: nothing it sends changes the PBX.
  if (!spec || !isReadOnly(action)) throw new Error(`webtapi-probe: ${action} is not a read-only action`);
  let query = `SID=${encodeURIComponent(sid)}&action=${encodeURIComponent(action)}`;
  for (const [k, v] of Object.entries(params)) query += `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  const started = performance.now();
  let answer: Answer;
  try {
    answer = await transport.send({
      action,
      method: 'GET',
      query,
      sideEffect: false,
      binary: spec.answer === 'binary' || spec.answer === 'stream',
      streamMs: spec.answer === 'stream' ? (o.streamMs ?? 1500) : undefined,
    });
  } catch (err) {
    const entry: CaptureEntry = {
      action,
      params: redactParams(params, r),
      error: describe(err, r),
      durationMs: Math.round(performance.now() - started),
    };
    if (err instanceof HttpStatusError) entry.status = err.statusCode;
    report.capture.entries.push(entry);
    report.rows.push(row(entry, undefined, entry.error));
    return undefined;
  }
  const entry = answerEntry(action, params, answer, r, o.media === true);
  entry.durationMs = Math.round(performance.now() - started);
  report.capture.entries.push(entry);
  let result: unknown;
  let error: string | undefined;
  try {
    result = parseAnswer(spec, answer, params);
  } catch (err) {
    // The PBX answered: a `0` or an answer the parser refuses is data for the table, not a failure.
    error = err instanceof WebTapiError && err.code === 'WEBTAPI_ACTION_FAILED' ? undefined : describe(err, r);
  }
  report.rows.push(row(entry, result, error));
  return result;
}
