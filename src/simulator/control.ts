// The control API: a test, the demo or a dashboard rings, answers, rejects and hangs up calls on the
// simulated PBX over HTTP (`POST /sim/<command>?...`, answers JSON). Not part of WebTAPI: a real PBX
// has phones for that. See docs/simulator.md.
import type { ServerResponse } from 'node:http';
import { messageOf } from '../client/errors';
import type { CallOptions } from './state';
import type { Simulator } from './types';

export const CONTROL_PREFIX = '/sim/';

/** What the control API drives (the simulator itself). */
export type ControlTarget = Pick<
  Simulator,
  'state' | 'ring' | 'doorbell' | 'queueCall' | 'answer' | 'reject' | 'hangup' | 'hangupAll' | 'setPush' | 'pushing' | 'pushes'
>;

type Query = URLSearchParams;
type Command = (t: ControlTarget, q: Query) => Record<string, unknown>;

const opt = (q: Query, name: string): string | undefined => {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
};

const need = (q: Query, name: string): string => {
  const v = opt(q, name);
  if (v === undefined) throw new Error(`parameter ${name} is missing`);
  return v;
};

const callOptions = (q: Query): CallOptions => ({ name: opt(q, 'name'), trunk: opt(q, 'trunk') });

const COMMANDS: Readonly<Record<string, Command>> = {
  ring: (t, q) => ({ channel: t.ring(need(q, 'ext'), opt(q, 'from'), callOptions(q)) }),
  doorbell: (t, q) => ({ channel: t.doorbell(opt(q, 'flat')) }),
  'queue-call': (t, q) => ({ channel: t.queueCall(need(q, 'queue'), opt(q, 'from'), callOptions(q)) }),
  answer: (t, q) => (t.answer(need(q, 'chan')), {}),
  reject: (t, q) => (t.reject(need(q, 'chan')), {}),
  hangup: (t, q) => {
    const chan = opt(q, 'chan');
    if (chan === undefined) t.hangupAll();
    else t.hangup(chan);
    return {};
  },
  // The answer never repeats the URL: its path may hold the receiver's token.
  push: (t, q) => (t.setPush(opt(q, 'url') ?? null), { pushing: t.pushing }),
};

function json(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buf.length, 'Cache-Control': 'no-store' });
  res.end(buf);
}

/** The calls in progress, as the control API lists them. */
function calls(t: ControlTarget): Record<string, unknown> {
  return {
    channels: [...t.state.channels.values()].map((c) => ({
      channel: c.name,
      extension: c.ext,
      state: c.state,
      application: c.application,
      data: c.data,
      exten: c.exten,
      callerId: c.callerId,
      callerName: c.callerName || null,
      linkedTo: c.bridgedTo,
      queue: c.queue,
    })),
  };
}

/** Answers a control request; returns the log line's result. */
export function handleControl(t: ControlTarget, method: string, command: string, q: Query, res: ServerResponse): string {
  if (command === 'calls' || (command === 'push' && method === 'GET')) {
    if (method !== 'GET') return (json(res, 405, { ok: false, error: 'use GET' }), '405');
    json(res, 200, command === 'calls' ? { ok: true, ...calls(t) } : { ok: true, pushing: t.pushing, ...t.pushes });
    return '200';
  }
  if (!Object.hasOwn(COMMANDS, command)) return (json(res, 404, { ok: false, error: `unknown command ${command.slice(0, 40)}` }), '404');
  if (method !== 'POST') return (json(res, 405, { ok: false, error: 'use POST' }), '405');
  try {
    json(res, 200, { ok: true, ...COMMANDS[command](t, q) });
    return '200';
  } catch (err) {
    json(res, 400, { ok: false, error: messageOf(err) });
    return '400';
  }
}
