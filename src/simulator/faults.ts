// Fault injection: a queue of faults consumed by matching requests, and what each fault does to a response.
import type { ServerResponse } from 'node:http';
import type { Timers } from './timers';
import type { Fault, FaultKind } from './types';

const KINDS: readonly FaultKind[] = ['reset-before', 'reset-after', 'hang', 'http500', 'garbage', 'oversize', 'drip', 'zero'];

export const DEFAULT_GARBAGE =
  '<br />\n<b>Warning</b>:  mysql_connect(): Too many connections in <b>/var/www/webtapi/webtapi.php</b> on line <b>42</b><br />\n' +
  '<br />\n<b>Fatal error</b>:  Call to a member function query() on a non-object in <b>/var/www/webtapi/webtapi.php</b> on line <b>57</b><br />\n';

const ERROR_500 =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>500 Internal Server Error</title>\n</head><body>\n' +
  '<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n' +
  '<hr>\n<address>Apache/2.2.22 (Debian) Server at localhost Port 9998</address>\n</body></html>\n';

export class FaultQueue {
  private queue: Array<{ fault: Fault; left: number; until?: number }> = [];

  add(f: Fault): void {
    if (!f || !KINDS.includes(f.kind)) throw new TypeError(`unknown fault kind ${String(f?.kind)}`);
    if (f.forMs !== undefined) {
      if (!Number.isFinite(f.forMs) || f.forMs < 0) throw new RangeError('fault.forMs must be a non-negative number');
      this.queue.push({ fault: { ...f }, left: Infinity, until: Date.now() + f.forMs });
      return;
    }
    const times = f.times ?? 1;
    if (!Number.isInteger(times) || times < 0) throw new RangeError('fault.times must be a non-negative integer');
    if (times > 0) this.queue.push({ fault: { ...f }, left: times });
  }

  /** The first queued fault for this action, consumed once. */
  take(action: string): Fault | undefined {
    const now = Date.now();
    this.queue = this.queue.filter((e) => e.until === undefined || e.until > now);
    const i = this.queue.findIndex((e) => e.fault.action === undefined || e.fault.action === action);
    if (i < 0) return undefined;
    const e = this.queue[i];
    if (--e.left <= 0) this.queue.splice(i, 1);
    return e.fault;
  }

  clear(): void {
    this.queue = [];
  }

  get size(): number {
    return this.queue.length;
  }
}

/** Whether the fault runs the action's side effect before misbehaving. */
export function faultExecutes(f: Fault): boolean {
  if (f.kind === 'reset-after') return true;
  if (f.kind === 'reset-before' || f.kind === 'zero') return false;
  return f.execute === true;
}

/** Misbehave on res as the fault says (the action, if any, has already run). */
export function applyFault(f: Fault, res: ServerResponse, timers: Timers): void {
  switch (f.kind) {
    case 'reset-before':
    case 'reset-after':
      res.socket?.destroy();
      return;
    case 'hang':
      return; // never answer; close() destroys the socket
    case 'zero':
      send(res, 200, 'text/plain; charset=utf-8', '0');
      return;
    case 'http500':
      send(res, 500, 'text/html; charset=iso-8859-1', ERROR_500);
      return;
    case 'garbage':
      send(res, 200, f.contentType ?? 'text/html; charset=utf-8', f.body ?? DEFAULT_GARBAGE);
      return;
    case 'oversize':
      oversize(res, f.bytes ?? 64 * 1024 * 1024, f.declare === true);
      return;
    case 'drip':
      drip(res, f.dripMs ?? 200, timers);
      return;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length });
  res.end(buf);
}

/** Stream `bytes` bytes of text in 64 KiB chunks, following back-pressure; stop when the client goes. */
function oversize(res: ServerResponse, bytes: number, declare: boolean): void {
  const line = Buffer.from(`${'0123456789abcdef'.repeat(4).slice(0, 63)}\n`);
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (let p = 0; p < chunk.length; p += line.length) line.copy(chunk, p);
  let left = Math.max(0, Math.floor(bytes));
  res.writeHead(
    200,
    declare ? { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': left } : { 'Content-Type': 'text/plain; charset=utf-8' },
  );
  const pump = (): void => {
    while (left > 0) {
      if (res.destroyed) return;
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed && !res.writableEnded) res.end();
  };
  res.once('close', () => {
    left = 0;
    res.removeListener('drain', pump);
  });
  pump();
}

/** Send one byte every ms milliseconds, forever (until the client or close() ends it). */
function drip(res: ServerResponse, ms: number, timers: Timers): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.flushHeaders();
  const t = timers.interval(
    () => {
      if (res.destroyed) {
        timers.clear(t);
        return;
      }
      res.write('.');
    },
    Math.max(1, ms),
  );
  res.once('close', () => timers.clear(t));
}
