import type { WebTapiErrorCode } from './codes';
import { redact } from './secrets';

export type { WebTapiErrorCode } from './codes';

/**
 * One class per failure, each with a stable `code` that flows can switch on (the codes and their
 * meaning: codes.ts).
 * No message or property of these errors ever holds the password or a session id:
 * they are built from action names, parameter names and our own wording only.
 */

export class WebTapiError extends Error {
  readonly code: WebTapiErrorCode;
  /** The WebTAPI action the error belongs to ('login' for the login request). */
  readonly action: string;

  /** `cause`: the failure underneath (undici's, the system's), kept so its stack survives the wrapping. */
  constructor(code: WebTapiErrorCode, action: string, message: string, cause?: unknown) {
    super(redact(message), cause === undefined ? undefined : { cause });
    this.name = 'WebTapiError';
    this.code = code;
    this.action = action;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, action: this.action, message: this.message };
  }
}

/** The PBX answered `0` to the login: wrong user or password (or a locked account). */
export class LoginFailedError extends WebTapiError {
  /** Milliseconds until the client will try to log in again. */
  readonly retryInMs: number;
  constructor(message: string, retryInMs: number) {
    super('WEBTAPI_LOGIN_FAILED', 'login', message);
    this.name = 'LoginFailedError';
    this.retryInMs = retryInMs;
  }
}

/** The PBX answered `0`: it did not carry out the action (with a valid session). */
export class ActionFailedError extends WebTapiError {
  constructor(action: string, detail = 'the PBX answered 0 (action failed)') {
    super('WEBTAPI_ACTION_FAILED', action, `${action}: ${detail}`);
    this.name = 'ActionFailedError';
  }
}

/** A read did not complete within the deadline. Side effects report OutcomeUnknownError instead. */
export class TimeoutError extends WebTapiError {
  readonly timeoutMs: number;
  constructor(action: string, timeoutMs: number, cause?: unknown) {
    super('WEBTAPI_TIMEOUT', action, `${action}: no complete answer within ${timeoutMs} ms`, cause);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export class HttpStatusError extends WebTapiError {
  readonly statusCode: number;
  constructor(action: string, statusCode: number) {
    super('WEBTAPI_HTTP_STATUS', action, `${action}: the PBX answered HTTP ${statusCode}`);
    this.name = 'HttpStatusError';
    this.statusCode = statusCode;
  }
}

/** The answer is not in the format the action has (garbage, PHP warnings, a truncated line...). */
export class BadResponseError extends WebTapiError {
  constructor(action: string, detail: string) {
    super('WEBTAPI_BAD_RESPONSE', action, `${action}: unexpected answer (${detail})`);
    this.name = 'BadResponseError';
  }
}

/**
 * A request with a side effect (a call, a relay switch...) may have reached the PBX, but no answer
 * came back. It is never resent: the action may or may not have run.
 */
export class OutcomeUnknownError extends WebTapiError {
  readonly reason: 'timeout' | 'connection-lost' | 'aborted';
  constructor(action: string, reason: 'timeout' | 'connection-lost' | 'aborted', detail: string, cause?: unknown) {
    super('WEBTAPI_OUTCOME_UNKNOWN', action, `${action}: outcome unknown, not retried (${detail})`, cause);
    this.name = 'OutcomeUnknownError';
    this.reason = reason;
  }
}

export class InvalidInputError extends WebTapiError {
  readonly param: string;
  constructor(action: string, param: string, detail: string) {
    super('WEBTAPI_INVALID_INPUT', action, `${action}: invalid ${param}: ${detail}`);
    this.name = 'InvalidInputError';
    this.param = param;
  }
}

/** The request never reached the PBX (connection refused, no route, DNS), or a read lost its connection. */
export class UnreachableError extends WebTapiError {
  /** The system's or undici's error code (ECONNREFUSED, UND_ERR_SOCKET...), when there was one. */
  readonly causeCode: string | undefined;
  /** The connection broke after the request was written (a read only: a side effect reports OutcomeUnknownError). */
  readonly connectionLost: boolean;
  constructor(action: string, causeCode: string | undefined, connectionLost: boolean, detail: string, cause?: unknown) {
    super('WEBTAPI_UNREACHABLE', action, `${action}: PBX unreachable (${detail})`, cause);
    this.name = 'UnreachableError';
    this.causeCode = causeCode;
    this.connectionLost = connectionLost;
  }
}

export class TlsError extends WebTapiError {
  readonly causeCode: string | undefined;
  constructor(action: string, causeCode: string | undefined, detail: string, cause?: unknown) {
    super('WEBTAPI_TLS', action, `${action}: TLS failed (${detail})`, cause);
    this.name = 'TlsError';
    this.causeCode = causeCode;
  }
}

/** The endpoint answered, but not like a WebTAPI login (an HTML page, a 404...). */
export class NotWebTapiError extends WebTapiError {
  constructor(detail: string) {
    super('WEBTAPI_NOT_WEBTAPI', 'login', `login: not a WebTAPI endpoint (${detail})`);
    this.name = 'NotWebTapiError';
  }
}

export class ResponseTooLargeError extends WebTapiError {
  readonly limit: number;
  constructor(action: string, limit: number) {
    super('WEBTAPI_RESPONSE_TOO_LARGE', action, `${action}: answer larger than ${limit} bytes, refused`);
    this.name = 'ResponseTooLargeError';
    this.limit = limit;
  }
}

export class AbortedError extends WebTapiError {
  constructor(action: string, cause?: unknown) {
    super('WEBTAPI_ABORTED', action, `${action}: aborted`, cause);
    this.name = 'AbortedError';
  }
}

export class ClosedError extends WebTapiError {
  constructor(action: string, cause?: unknown) {
    super('WEBTAPI_CLOSED', action, `${action}: the client is closed`, cause);
    this.name = 'ClosedError';
  }
}

/**
 * A pulse's switch-back was not confirmed by the PBX before its deadline (the node's
 * restoreTimeout, or Node-RED's close timeout on shutdown): the relay may still be switched.
 */
export class RelayNotRestoredError extends WebTapiError {
  readonly relay: string;
  readonly status: number;
  readonly attempts: number;
  constructor(relay: string, status: number, attempts: number, detail: string) {
    super(
      'WEBTAPI_RELAY_NOT_RESTORED',
      'relay_status_set',
      `relay ${relay} was not confirmed switched back to ${status} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${detail})`,
    );
    this.name = 'RelayNotRestoredError';
    this.relay = relay;
    this.status = status;
    this.attempts = attempts;
  }
}

/**
 * A node with a PIN refused the message: the code was missing or wrong, or the node is locked out
 * after too many wrong codes. Nothing was sent. Never holds the code given or the PIN.
 */
export class AccessDeniedError extends WebTapiError {
  readonly reason: 'missing' | 'wrong' | 'locked';
  /** How long the node still refuses every message (0: not locked). */
  readonly lockedForMs: number;
  constructor(action: string, reason: 'missing' | 'wrong' | 'locked', lockedForMs: number) {
    const why = reason === 'missing' ? 'no code (msg.code)' : reason === 'wrong' ? 'wrong code' : 'locked after too many wrong codes';
    const lock = lockedForMs > 0 ? `; locked for ${Math.ceil(lockedForMs / 1000)} s` : '';
    super('WEBTAPI_ACCESS_DENIED', action, `${action}: access denied (${why}${lock}), nothing sent`);
    this.name = 'AccessDeniedError';
    this.reason = reason;
    this.lockedForMs = lockedForMs;
  }
}

export function isWebTapiError(err: unknown): err is WebTapiError {
  return err instanceof WebTapiError;
}

/**
 * The message of anything thrown: an Error's (or an error-like object's) message, else the value as
 * text. Never throws itself (a symbol, an object whose toString throws).
 */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  try {
    return String(err);
  } catch {
    return 'an error without a message';
  }
}
