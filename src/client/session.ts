import { errorKind, WebTapiErrorCode } from './codes';
import { BadResponseError, HttpStatusError, LoginFailedError, NotWebTapiError, WebTapiError } from './errors';
import { formEncode as form, passwordForms } from './secrets';
import { Transport } from './transport';

/** The connection as last seen, named for what happened. */
export type ConnectionState =
  | { state: 'idle' }
  | { state: 'logging-in' }
  | { state: 'connected' }
  /** The PBX rejected user or password; the next login waits retryInMs. */
  | { state: 'login-failed'; retryInMs: number }
  /** No connection, or no answer in time (WEBTAPI_UNREACHABLE, _TLS, _TIMEOUT, _OUTCOME_UNKNOWN). */
  | { state: 'unreachable'; code: WebTapiErrorCode }
  /** The login was answered, but not with a session (an HTTP error, an HTML page, an oversize answer...). */
  | { state: 'bad-answer'; code: WebTapiErrorCode }
  /** The server URL cannot be used: nothing is ever sent. */
  | { state: 'misconfigured'; reason: string };

/** The state a failed login leaves, by where it failed. */
function afterFailedLogin(err: WebTapiError): ConnectionState {
  switch (errorKind(err.code)) {
    case 'no-connection':
    case 'no-answer':
      return { state: 'unreachable', code: err.code };
    case 'input':
      return { state: 'misconfigured', reason: err.message };
    case 'local':
      return { state: 'idle' };
    default:
      return { state: 'bad-answer', code: err.code };
  }
}

export interface SessionOptions {
  username: string;
  password: string;
  /** First wait after a rejected login; doubles with each rejection. */
  backoffMs: number;
  backoffMaxMs: number;
  /** A session proven valid this recently is trusted without a probe when an action answers 0. */
  freshSessionMs: number;
  onState: (state: ConnectionState) => void;
}

const SESSION_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * The one WebTAPI session of a client: logged in lazily, one login shared by every caller,
 * a rejected login backs off (devices lock accounts after repeated failures), an unreachable PBX
 * does not (the next request tries again at once).
 */
export class Session {
  readonly #password: string;
  /** The password as typed and as encoded, to take out of echoed answers. */
  readonly #passwordForms: string[];
  private readonly username: string;
  private readonly opts: Omit<SessionOptions, 'password' | 'username'>;
  private sid: string | null = null;
  /** When the PBX last showed that `sid` works (the login, or an answer other than a bare 0). */
  private provenAt = 0;
  private pending: Promise<string> | null = null;
  private readonly probes = new Map<string, Promise<boolean>>();
  private rejections = 0;
  private blockedUntil = 0;
  private lastRejection = '';
  /** Logins sent since the client started (rejected ones included). */
  logins = 0;

  constructor(
    private readonly transport: Transport,
    opts: SessionOptions,
  ) {
    const { password, username, ...rest } = opts;
    this.#password = password;
    this.#passwordForms = passwordForms(password);
    this.username = username;
    this.opts = rest;
  }

  /** The session id to use now; logs in if there is none. */
  current(): Promise<string> {
    if (this.sid !== null) return Promise.resolve(this.sid);
    const wait = this.blockedUntil - Date.now();
    if (wait > 0) return Promise.reject(new LoginFailedError(this.lastRejection, wait));
    if (!this.pending) {
      this.pending = this.login().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  /** True when `sid` is no longer valid (or already replaced), so a resend with a new one makes sense. */
  isExpired(sid: string): Promise<boolean> {
    if (sid !== this.sid) return Promise.resolve(true);
    if (Date.now() - this.provenAt < this.opts.freshSessionMs) return Promise.resolve(false);
    let probe = this.probes.get(sid);
    if (!probe) {
      probe = this.probe(sid).finally(() => this.probes.delete(sid));
      this.probes.set(sid, probe);
    }
    return probe;
  }

  /** The PBX answered something other than a bare 0 with `sid`: it is valid now. */
  proven(sid: string): void {
    if (sid === this.sid) this.provenAt = Date.now();
  }

  /** Drops `sid` (if still current) and returns a fresh session. */
  renew(sid: string): Promise<string> {
    if (this.sid === sid) this.sid = null;
    return this.current();
  }

  /** The secrets a text from the PBX may hold: the password (as typed and encoded), `sid` and the current session id. */
  secrets(sid: string): string[] {
    const out = this.#passwordForms.slice();
    for (const s of [sid, this.sid]) if (s && s.length >= 4 && !out.includes(s)) out.push(s);
    return out;
  }

  /** Forget the session (the PBX will let it expire; the document has no logout). */
  clear(): void {
    this.sid = null;
  }

  private async probe(sid: string): Promise<boolean> {
    try {
      // The states of all extensions: never a bare 0 while the session is valid (a PBX has at
      // least the logged-in user's extension), unlike an empty list, which some PBXs answer as 0.
      const answer = await this.transport.send({
        action: 'call_status_get',
        method: 'GET',
        query: `SID=${encodeURIComponent(sid)}&action=call_status_get`,
        binary: false,
        sideEffect: false,
      });
      const expired = answer.body.toString('utf8').trim() === '0';
      if (!expired) this.proven(sid);
      return expired;
    } catch {
      return false;
    }
  }

  private async login(): Promise<string> {
    this.opts.onState({ state: 'logging-in' });
    this.logins++;
    let answer;
    try {
      answer = await this.transport.send({
        action: 'login',
        method: 'POST',
        query: 'action=login',
        body: `action=login&AUTH%5Buser%5D=${form(this.username)}&AUTH%5Bpass%5D=${form(this.#password)}`,
        binary: false,
        sideEffect: false,
      });
    } catch (err) {
      if (err instanceof HttpStatusError && err.statusCode >= 400 && err.statusCode < 500) {
        throw this.failed(new NotWebTapiError(`HTTP ${err.statusCode}`));
      }
      // Every failed login ends "logging in", or each node of the server would show it until some later request.
      throw err instanceof WebTapiError ? this.failed(err) : err;
    }
    const text = answer.body.toString('utf8').trim();
    if (text === '0') {
      this.rejections++;
      const delay = Math.min(this.opts.backoffMs * 2 ** (this.rejections - 1), this.opts.backoffMaxMs);
      this.blockedUntil = Date.now() + delay;
      this.lastRejection = `login: the PBX rejected user "${this.username}" (wrong user name or password)`;
      this.opts.onState({ state: 'login-failed', retryInMs: delay });
      throw new LoginFailedError(this.lastRejection, delay);
    }
    if (!SESSION_ID.test(text) || text.includes('<')) {
      throw this.failed(
        new NotWebTapiError(
          text === '' ? 'empty answer' : /<html|<!doctype|<body|<br/i.test(text) ? 'an HTML page' : 'the answer is not a session id',
        ),
      );
    }
    if (text === this.#password) throw this.failed(new BadResponseError('login', 'the answer repeats the password'));
    this.rejections = 0;
    this.blockedUntil = 0;
    this.sid = text;
    this.provenAt = Date.now();
    this.opts.onState({ state: 'connected' });
    return text;
  }

  /** Reports the state a failed login leaves, and returns the error to throw. */
  private failed<E extends WebTapiError>(err: E): E {
    this.opts.onState(afterFailedLogin(err));
    return err;
  }
}
