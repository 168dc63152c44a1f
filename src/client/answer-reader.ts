import type { Dispatcher } from 'undici';
import type { Deadline } from './deadline';
import { HttpStatusError, ResponseTooLargeError } from './errors';
import type { Answer } from './transport';

export interface ReadLimits {
  action: string;
  /** Bytes at most; more fails the request, or ends a stream excerpt there. */
  limit: number;
  /** Read a never-ending body for this long, then stop and keep what came. */
  streamMs?: number;
}

/** The first value of header `name` (lower case) in undici's raw list [name, value, ...], '' when absent. */
function rawHeader(raw: Buffer[], name: string): string {
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i];
    if (key.length === name.length && key.toString('latin1').toLowerCase() === name) return raw[i + 1].toString('latin1');
  }
  return '';
}

/**
 * One request's answer read straight off undici's handler callbacks (the dispatch API): no body
 * stream, no async resource, no promise per layer; what `request()` + reading its body cost is
 * most of a request's budget. Enforces the status, the cap (declared or counted) and the stream
 * excerpt's time; the deadline stops it through `abort`.
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private contentType = '';
  private settled = false;
  private abortRequest: ((err?: Error) => void) | null = null;
  private streamTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: ReadLimits,
    deadline: Deadline,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    // Also while the request waits for a connection. classify() reads why from the deadline's
    // reason, not from this error.
    deadline.whenStopped(() => this.fail(new Error('aborted')));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort;
    if (this.settled) abort(new Error('aborted'));
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the answer is still to come
    this.status = statusCode;
    if (statusCode >= 300) return this.fail(new HttpStatusError(this.limits.action, statusCode));
    this.contentType = rawHeader(raw, 'content-type');
    const declared = Number(rawHeader(raw, 'content-length') || NaN);
    if (Number.isFinite(declared) && declared > this.limits.limit)
      return this.fail(new ResponseTooLargeError(this.limits.action, this.limits.limit));
    if (this.limits.streamMs !== undefined) this.streamTimer = setTimeout(() => this.finish(), this.limits.streamMs);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    const { limit, streamMs, action } = this.limits;
    if (this.size + chunk.length > limit) {
      if (streamMs === undefined) return this.fail(new ResponseTooLargeError(action, limit));
      this.chunks.push(chunk.subarray(0, limit - this.size));
      this.size = limit;
      this.finish();
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    this.finish();
  }

  onError(err: Error): void {
    this.fail(err);
  }

  /** A stream excerpt ends here too: the request is aborted once its answer is taken. */
  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.streamTimer);
    const { chunks, size } = this;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    this.resolve({ status: this.status, contentType: this.contentType, body });
    if (this.limits.streamMs !== undefined) this.abortRequest?.(new Error('excerpt taken'));
  }

  /** Ends the request with `err` (the socket is dropped, as a body destroyed unread drops it). */
  private fail(err: unknown): false {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.streamTimer);
    this.reject(err);
    this.abortRequest?.(err instanceof Error ? err : new Error('aborted'));
    return false;
  }
}

/** Sends `options` through `dispatcher` and reads the whole answer within `limits`. */
export function readAnswer(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limits: ReadLimits,
  deadline: Deadline,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    dispatcher.dispatch(options, new AnswerReader(limits, deadline, resolve, reject));
  });
}
