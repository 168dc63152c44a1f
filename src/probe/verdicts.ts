import { readConciseChannel } from '../client/concise';
import { readItems, splitFields } from '../client/line-items';
import type { CaptureEntry } from './capture';

/** One assumption of docs/protocol.md, checked against what the PBX answered. */
export interface Verdict {
  assumption: string;
  verdict: 'holds' | 'differs' | 'not seen';
  detail: string;
}

type Check = (entries: CaptureEntry[]) => Omit<Verdict, 'assumption'>;

const lines = (e: CaptureEntry): string[] => (e.text ?? '').split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
/** Text answers of these actions that carry data (not a bare `0`, except where `0` is a value). */
const data = (entries: CaptureEntry[], actions: readonly string[]): CaptureEntry[] =>
  entries.filter(
    (e) =>
      actions.includes(e.action) &&
      e.text !== undefined &&
      e.status !== undefined &&
      e.status < 300 &&
      e.text.trim() !== '' &&
      (e.text.trim() !== '0' || e.action === 'relay_status_get'),
  );
const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 59)}…` : s);

/** Every data line of `actions` must pass `ok`; the first that does not is the detail. */
function everyLine(actions: readonly string[], ok: (line: string) => boolean, what: string): Check {
  return (entries) => {
    const seen = data(entries, actions);
    const all = seen.flatMap((e) => lines(e).map((l) => [e.action, l] as const));
    if (all.length === 0) return { verdict: 'not seen', detail: `no ${actions.join('/')} answer had a line` };
    const bad = all.find(([, l]) => !ok(l));
    if (!bad) return { verdict: 'holds', detail: `${all.length} line(s) ${what}` };
    const shapes = [...new Set(seen.flatMap((e) => readItems(e.text ?? '').map((i) => i.shape)))].join(', ');
    return { verdict: 'differs', detail: `${bad[0]}: ${quote(bad[1])} (read as: ${shapes})` };
  };
}

function fieldCount(min: number, max: number) {
  return (line: string): boolean => {
    const f = splitFields(line.trim());
    // key=value pairs are another shape, even where they split into the right number of fields.
    return f.length >= min && f.length <= max && f[0] !== '' && !/^[A-Za-z_][\w.-]*=/.test(f[0]);
  };
}

const CHECKS: Array<[string, Check]> = [
  [
    'Channel lists are Asterisk concise lines of 13 or 14 "!"-separated fields',
    everyLine(
      ['call_list', 'call_list_all', 'q_call_list', 'q_waiting_list'],
      (l) => {
        const c = readConciseChannel(l);
        return c !== null && c.fieldCount >= 13;
      },
      'are concise channel lines',
    ),
  ],
  [
    'call_status_get: one "extension<separator>code" a line',
    everyLine(['call_status_get'], (l) => /^[^\s:=;,]+\s*[:=;,\t ]\s*-?\d+$/.test(l.trim()), 'are extension:code'),
  ],
  [
    'q_list: one queue a line (fields separated by ";", tab or "|")',
    everyLine(['q_list'], (l) => !/\s{2,}|\(/.test(l.trim()), 'are one queue each'),
  ],
  ['agent_list: one agent a line', everyLine(['agent_list'], (l) => !/\s{2,}|\(/.test(l.trim()), 'are one agent each')],
  [
    'relay_list: "id;name;status" (name and status optional)',
    everyLine(
      ['relay_list'],
      (l) => {
        const f = splitFields(l.trim());
        return fieldCount(1, 3)(l) && (f[2] === undefined || /^\d+$/.test(f[2]));
      },
      'are id;name;status',
    ),
  ],
  ['vmx_cam_list: "id;name" (name optional)', everyLine(['vmx_cam_list'], fieldCount(1, 2), 'are id;name')],
  ['call_record_list: one file name a line', everyLine(['call_record_list'], (l) => !/[\s;|]/.test(l.trim()), 'are file names')],
  ['relay_status_get answers the status as a number', everyLine(['relay_status_get'], (l) => /^-?\d+$/.test(l.trim()), 'are numbers')],
  [
    'Lines end with LF or CRLF',
    (entries) => {
      const texts = entries.filter((e) => e.action !== 'login' && e.text !== undefined && /[\r\n]/.test(e.text));
      if (texts.length === 0) return { verdict: 'not seen', detail: 'no answer had more than one line' };
      const bare = texts.find((e) => /\r(?!\n)/.test(e.text ?? ''));
      return bare
        ? { verdict: 'differs', detail: `${bare.action} uses a bare CR` }
        : { verdict: 'holds', detail: `${texts.length} answer(s)` };
    },
  ],
];

const MEDIA_CHECKS: Array<[string, Check]> = [
  [
    'vmx_cam_get_pic serves an image (image/jpeg)',
    (entries) => {
      const pics = entries.filter((e) => e.action === 'vmx_cam_get_pic' && e.status !== undefined);
      if (pics.length === 0) return { verdict: 'not seen', detail: 'no camera picture was read' };
      const bad = pics.find((e) => !/^image\//i.test(e.contentType ?? '') && !(e.head ?? '').startsWith('ffd8'));
      return bad
        ? {
            verdict: 'differs',
            detail: `served as ${bad.contentType || 'no type'}${bad.text !== undefined ? `: ${quote(bad.text.trim())}` : ''}`,
          }
        : { verdict: 'holds', detail: pics.map((e) => `${e.contentType} ${e.bytes} bytes`).join(', ') };
    },
  ],
  [
    'vmx_cam_get_stream serves multipart/x-mixed-replace MJPEG',
    (entries) => {
      const streams = entries.filter((e) => e.action === 'vmx_cam_get_stream' && e.status !== undefined);
      if (streams.length === 0) return { verdict: 'not seen', detail: 'no camera stream was read' };
      const bad = streams.find((e) => !/^multipart\/x-mixed-replace/i.test(e.contentType ?? ''));
      return bad
        ? { verdict: 'differs', detail: `served as ${bad.contentType || 'no type'}` }
        : { verdict: 'holds', detail: `${streams.length} stream(s)` };
    },
  ],
];

export function verdicts(entries: CaptureEntry[], loggedIn: boolean, media: boolean): Verdict[] {
  const out: Verdict[] = [
    {
      assumption: 'Login by POST answers the session id as text',
      ...(loggedIn
        ? { verdict: 'holds' as const, detail: 'a session id came back' }
        : { verdict: 'differs' as const, detail: 'the login gave no session id' }),
    },
  ];
  for (const [assumption, check] of [...CHECKS, ...(media ? MEDIA_CHECKS : [])]) out.push({ assumption, ...check(entries) });
  return out;
}
