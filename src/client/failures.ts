import {
  AbortedError,
  ClosedError,
  OutcomeUnknownError,
  TimeoutError,
  TlsError,
  UnreachableError,
  WebTapiError,
  messageOf,
} from './errors';

/**
 * Failures of one request, sorted by the one question that matters to its caller: may the PBX have
 * seen it? A plain function of the failure and what the transport knew, so every branch is tested
 * without a socket (test/client/failures.test.ts).
 */

/** Failures that happen before a single byte reaches the PBX. */
const NOT_REACHED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENETDOWN',
  'EHOSTDOWN',
]);

/** Failures after the request may have been written. */
const CONNECTION_LOST = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

function isTlsFailure(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    /certificate|ssl|tls/i.test(message)
  );
}

/** Why this side stopped a request: its deadline passed, or the caller's signal fired. */
export type StopReason = 'timeout' | 'aborted';

/** What the transport knew when the request failed. */
export interface FailureContext {
  action: string;
  sideEffect: boolean;
  /** Why this side stopped the request; null when it did not (or close() did). */
  stoppedBy: StopReason | null;
  timeoutMs: number;
  /** close() has run: a request it stopped fails as closed. */
  closed: boolean;
}

/** The error a caller sees for `err`; undici's or the system's failure stays its `cause`. */
export function classify(err: unknown, at: FailureContext): WebTapiError {
  if (err instanceof WebTapiError) return err;
  const { action, sideEffect } = at;
  if (at.stoppedBy === 'timeout') {
    return sideEffect
      ? new OutcomeUnknownError(action, 'timeout', `no answer within ${at.timeoutMs} ms`, err)
      : new TimeoutError(action, at.timeoutMs, err);
  }
  if (at.closed) return new ClosedError(action, err);
  if (at.stoppedBy === 'aborted') {
    return sideEffect
      ? new OutcomeUnknownError(action, 'aborted', 'aborted while the PBX was answering', err)
      : new AbortedError(action, err);
  }
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = String(e?.code ?? e?.cause?.code ?? '');
  if (NOT_REACHED.has(code)) return new UnreachableError(action, code, false, code, err);
  if (isTlsFailure(code, messageOf(err))) return new TlsError(action, code || undefined, code || 'handshake failed', err);
  if (sideEffect) {
    const detail = CONNECTION_LOST.has(code) ? `connection lost: ${code}` : `transport error${code ? ': ' + code : ''}`;
    return new OutcomeUnknownError(action, 'connection-lost', detail, err);
  }
  return new UnreachableError(action, code || undefined, true, `connection lost${code ? ': ' + code : ''}`, err);
}
