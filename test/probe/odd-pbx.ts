/*
 * A second WebTAPI implementation (not our simulator) whose lists are in shapes docs/protocol.md
 * does not assume: Asterisk CLI output passed through (`queue show`, `core show hints`, 12-field
 * concise lines, AMI `Output: ` prefixes), key=value pairs, CLI columns; text/html with CRLF like
 * PHP; a file name that echoes the session id and the password, as a careless PBX script might.
 */
import { startFakeWebTapi } from '../client/fake-webtapi';

export interface OddPbx {
  url: string;
  user: string;
  password: string;
  /** Every session id handed out. */
  sids: string[];
  /** Actions received, in order. */
  actions: string[];
  close(): Promise<void>;
}

export interface OddPbxOptions {
  /** relay_status_get answers HTTP 500. */
  brokenRelayStatus?: boolean;
  /** The password (default `pr0be-Pass word`). */
  password?: string;
  /**
   * A PBX that dumps requests: call_record_list names files after the password in every encoding,
   * and (with `echoLogin`) the login answers a debug page with the login body and a JSON dump of it.
   */
  echoForms?: boolean;
  echoLogin?: boolean;
}

/** The password as a careless PBX script repeats it: raw, form- and URL-encoded, JSON-escaped (JS and PHP). */
export function echoedForms(password: string): string[] {
  const url = encodeURIComponent(password);
  const json = JSON.stringify(password).slice(1, -1);
  // eslint-disable-next-line no-control-regex -- the range starts at \x00 on purpose: everything beyond ASCII
  const php = json.replace(/\//g, '\\/').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [password, url.replace(/%20/g, '+'), url, url.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), json, php];
}

function loginDump(form: URLSearchParams): string {
  const fields = Object.fromEntries(form.entries());
  return `<html><body><pre>POST ${form.toString()}</pre><script>var posted = ${JSON.stringify(fields)};</script></body></html>\r\n`;
}

const QUEUE_SHOW = [
  "VMX has 1 calls (max unlimited) in 'rrmemory' strategy (45s holdtime, 310s talktime), W:0, C:124, A:2, SL:0.0% within 0s",
  '   Members: ',
  '      Door Agent (SIP/1001-IPCZncL) (ringinuse disabled) (dynamic) (Not in use) has taken no calls yet',
  '      SIP/1002 (paused) (Busy) has taken 3 calls (last was 12 secs ago)',
  '   Callers: ',
  '      1. SIP/trunk-000000aa (wait: 0:42, prio: 0)',
  '',
  "SUPPORT has 0 calls (max 10) in 'ringall' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0% within 0s",
  '   No Members',
  '   No Callers',
  '',
];

function answers(user: string, sid: string, password: string, o: OddPbxOptions): Record<string, (q: URLSearchParams) => string | null> {
  return {
    call_list: () => `SIP/${user}-00000001 Up 0:12\r\n`,
    call_list_all: () =>
      [
        `SIP/${user}-00000001!macro-stdexten!s!2!Up!Dial!SIP/1002|40|Ttfr!${user}!!3!12!SIP/1002-00000002`,
        `SIP/1002-00000002!from-internal!1002!1!Up!AppDial!(Outgoing Line)!1002!!3!12!SIP/${user}-00000001`,
      ].join('\r\n') + '\r\n',
    call_status_get: () =>
      [
        `${user}@ext-local           : SIP/${user}              State:InUse            Watchers  2`,
        '1001@ext-local           : SIP/1001              State:Idle            Watchers  0',
        '1002@ext-local           : SIP/1002              State:Ringing         Watchers  1',
      ].join('\r\n'),
    call_record_list: () =>
      o.echoForms
        ? echoedForms(password)
            .map((f, i) => `rec-${i}-${f}.wav`)
            .join('\r\n') + '\r\n'
        : `rec-${sid}-${password}.wav\r\nrec-2.wav\r\n`,
    q_list: () => QUEUE_SHOW.join('\r\n'),
    agent_list: (q) =>
      q.get('q_name') === 'VMX'
        ? QUEUE_SHOW.slice(2, 4)
            .map((l) => `Output: ${l}`)
            .join('\r\n')
        : 'Output:    No Members\r\n',
    q_call_list: () => 'Output: SIP/trunk-000000aa!ext-queues!700!1!Up!Queue!VMX,t!0301112233!!!3!42!!1700000000.1\r\nOutput: \r\n',
    q_waiting_list: (q) => (q.get('q_name') === 'VMX' ? '      1. SIP/trunk-000000aa (wait: 0:42, prio: 0)\r\n' : '0\r\n'),
    vmx_cam_list: () => '44   Entrance   (online)\r\n45   Garage     (offline)\r\n',
    relay_list: () => 'id=17&name=Door&status=1\r\nid=18&name=Gate&status=0\r\n',
    relay_status_get: () => 'on\r\n',
  };
}

export async function startOddPbx(o: OddPbxOptions = {}): Promise<OddPbx> {
  const pbx: OddPbx = {
    url: '',
    user: 'frontdesk',
    password: o.password ?? 'pr0be-Pass word',
    sids: [],
    actions: [],
    close: async () => undefined,
  };
  const server = await startFakeWebTapi({
    login: (form) => {
      if (o.echoLogin) return loginDump(form);
      if (form.get('AUTH[user]') !== pbx.user || form.get('AUTH[pass]') !== pbx.password) return '0\r\n';
      const sid = `odd${pbx.sids.length}x${Math.random().toString(16).slice(2, 14)}`;
      pbx.sids.push(sid);
      return `${sid}\r\n`;
    },
    action: (q) => {
      const action = q.get('action') ?? '';
      pbx.actions.push(action);
      const sid = q.get('SID') ?? '';
      if (!pbx.sids.includes(sid)) return '0\r\n';
      if (action === 'relay_status_get' && o.brokenRelayStatus)
        return { status: 500, body: '<html><body>Internal Server Error</body></html>' };
      const answer = answers(pbx.user, sid, pbx.password, o)[action];
      return answer ? (answer(q) ?? '0\r\n') : '0\r\n';
    },
  });
  pbx.url = server.url;
  pbx.close = server.close;
  return pbx;
}
