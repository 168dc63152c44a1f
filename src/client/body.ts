import type { Dispatcher } from 'undici';
import type { Stop } from './deadline';
import { ResponseTooLargeError } from './errors';

/** An answer's body as undici hands it over. */
export type Body = Dispatcher.ResponseData['body'];

/** A header's first value, '' when absent. */
export function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Drops a body we will not read. undici reports a body destroyed before its end as an 'error'
 * event; without a listener that event would be an uncaught exception in the user's Node-RED.
 */
export function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

export interface BodyLimits {
  action: string;
  /** Bytes at most; more fails the request, or ends a stream excerpt there. */
  limit: number;
  /** Read a never-ending body for this long, then stop and keep what came. */
  streamMs?: number;
}

/** Reads a body up to a limit; a stream is cut after `streamMs` and what came is the answer. */
export function readBody(body: Body, { action, limit, streamMs }: BodyLimits, stop: Stop): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let streamTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (streamTimer) clearTimeout(streamTimer);
      stop.removeListener('abort', onAbort);
      if (err) {
        body.destroy();
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      }
    };
    const endStream = () => {
      body.destroy();
      finish(null);
    };
    // classify() reads why from the deadline's reason, not from this error.
    const onAbort = () => finish(new Error('aborted'));
    if (streamMs !== undefined) streamTimer = setTimeout(endStream, streamMs);
    stop.once('abort', onAbort);
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > limit) {
        if (streamMs === undefined) return finish(new ResponseTooLargeError(action, limit));
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        return endStream();
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    body.on('end', () => finish(null));
    body.on('error', (err) => finish(err));
  });
}
