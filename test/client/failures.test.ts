/*
 * Failure classification without sockets: each kind of failure undici or the system reports, and
 * what a caller sees for it, by the one question that matters (may the PBX have seen it?). Then the
 * deadline on fake timers, and the same classification once over a real socket.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import sinon from 'sinon';
import {
  AbortedError,
  ClosedError,
  HttpStatusError,
  OutcomeUnknownError,
  TimeoutError,
  TlsError,
  UnreachableError,
  WebTapiClient,
  WebTapiError,
  messageOf,
} from '../../dist/client';
import { Deadline } from '../../dist/client/deadline';
import { classify, type FailureContext } from '../../dist/client/failures';

const read: FailureContext = { action: 'call_list', sideEffect: false, stoppedBy: null, timeoutMs: 5_000, closed: false };
const sideEffect: FailureContext = { ...read, action: 'relay_status_set', sideEffect: true };

/** An error as undici or the system throws it: a message, a code, sometimes the code on its cause. */
function failure(code: string, message = `failed: ${code}`): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('failures: sorted by whether the PBX may have seen the request (no sockets)', () => {
  it('a connection never made is unreachable, for a read and for a side effect alike, and keeps the original as cause', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
      for (const at of [read, sideEffect]) {
        const original = failure(code);
        const err = classify(original, at);
        assert.ok(err instanceof UnreachableError, `${code}: ${err.name}`);
        assert.equal(err.connectionLost, false, code);
        assert.equal(err.causeCode, code);
        assert.equal(err.cause, original, 'the original failure survives as cause');
      }
    }
  });

  it('a connection lost after the request was written: a read may be resent, a side effect is outcome unknown', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT']) {
      const lost = classify(failure(code), read);
      assert.ok(lost instanceof UnreachableError, code);
      assert.equal(lost.connectionLost, true, code);
      const unknown = classify(failure(code), sideEffect);
      assert.ok(unknown instanceof OutcomeUnknownError, code);
      assert.equal(unknown.reason, 'connection-lost');
      assert.match(unknown.message, new RegExp(`connection lost: ${code}`));
    }
  });

  it('reads the code of the cause where the error itself has none (undici wraps system errors)', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: failure('ECONNREFUSED') });
    const err = classify(wrapped, read);
    assert.ok(err instanceof UnreachableError);
    assert.equal(err.causeCode, 'ECONNREFUSED');
    assert.equal(err.connectionLost, false);
  });

  it('a failed handshake is a TLS error, by code or by message', () => {
    assert.ok(classify(failure('DEPTH_ZERO_SELF_SIGNED_CERT'), read) instanceof TlsError);
    assert.ok(classify(failure('ERR_TLS_CERT_ALTNAME_INVALID'), sideEffect) instanceof TlsError);
    const byMessage = classify(new Error('Client network socket disconnected before secure TLS connection was established'), read);
    assert.ok(byMessage instanceof TlsError);
    assert.equal(byMessage.causeCode, undefined);
  });

  it('an unknown failure without a code: a read is unreachable (lost), a side effect outcome unknown', () => {
    for (const thrown of [new Error('something'), 'a string', null, undefined, 42]) {
      const r = classify(thrown, read);
      assert.ok(r instanceof UnreachableError && r.connectionLost, String(thrown));
      const s = classify(thrown, sideEffect);
      assert.ok(s instanceof OutcomeUnknownError && s.reason === 'connection-lost', String(thrown));
      assert.match(s.message, /transport error\)$/);
    }
  });

  it('the deadline: a read times out, a side effect is outcome unknown, whatever undici reported', () => {
    const aborted = failure('UND_ERR_ABORTED', 'Request aborted');
    const t = classify(aborted, { ...read, stoppedBy: 'timeout' });
    assert.ok(t instanceof TimeoutError);
    assert.equal(t.timeoutMs, 5_000);
    assert.equal(t.cause, aborted);
    const u = classify(aborted, { ...sideEffect, stoppedBy: 'timeout' });
    assert.ok(u instanceof OutcomeUnknownError);
    assert.equal(u.reason, 'timeout');
    assert.match(u.message, /no answer within 5000 ms/);
  });

  it("the caller's signal: a read is aborted, a side effect outcome unknown; close() makes it closed", () => {
    const aborted = failure('UND_ERR_ABORTED');
    assert.ok(classify(aborted, { ...read, stoppedBy: 'aborted' }) instanceof AbortedError);
    const u = classify(aborted, { ...sideEffect, stoppedBy: 'aborted' });
    assert.ok(u instanceof OutcomeUnknownError && u.reason === 'aborted');
    assert.ok(classify(aborted, { ...sideEffect, closed: true }) instanceof ClosedError);
    assert.ok(classify(aborted, { ...read, closed: true, stoppedBy: 'aborted' }) instanceof ClosedError, 'close() wins over the signal');
    assert.ok(
      classify(aborted, { ...read, closed: true, stoppedBy: 'timeout' }) instanceof TimeoutError,
      'a deadline passed before close() stays a timeout',
    );
  });

  it('an error of our own passes as it is', () => {
    const own = new HttpStatusError('call_list', 500);
    assert.equal(classify(own, sideEffect), own);
  });

  it('a cause is not part of the JSON a flow sees', () => {
    const err = classify(failure('ECONNREFUSED'), read);
    assert.deepEqual(Object.keys(err.toJSON()).sort(), ['action', 'code', 'message', 'name']);
    assert.equal(new AbortedError('x').cause, undefined, 'no cause where there was none');
    assert.equal(Object.hasOwn(new AbortedError('x'), 'cause'), false);
  });
});

describe('deadline: one per request, the timer and the caller signal in one stop (fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('fires at its time and says so', () => {
    const d = new Deadline(1_000, undefined);
    clock.tick(999);
    assert.equal(d.stop.aborted, false);
    clock.tick(1);
    assert.equal(d.stop.aborted, true);
    assert.equal(d.reason, 'timeout');
  });

  it('does not fire once disarmed or ended', () => {
    const disarmed = new Deadline(1_000, undefined);
    disarmed.disarm();
    const ended = new Deadline(1_000, undefined);
    ended.end();
    clock.tick(5_000);
    assert.equal(disarmed.stop.aborted, false);
    assert.equal(ended.stop.aborted, false);
  });

  it("stops on the caller's signal, also when disarmed, and not after end()", () => {
    const caller = new AbortController();
    const d = new Deadline(1_000, caller.signal);
    d.disarm();
    caller.abort();
    assert.equal(d.stop.aborted, true);
    assert.equal(d.reason, 'aborted');
    const later = new AbortController();
    const ended = new Deadline(1_000, later.signal);
    ended.end();
    later.abort();
    assert.equal(ended.stop.aborted, false);
    assert.equal(ended.reason, null);
  });
});

describe('failures over a real socket: the cause is what undici reported', () => {
  it('a refused connection keeps its system error as cause', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const client = new WebTapiClient({ url: `http://127.0.0.1:${port}/webtapi.php`, username: 'u', password: 'p' });
    try {
      const err = await client.connect().then(
        () => assert.fail('connected to a closed port'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof UnreachableError, String(err));
      assert.ok(err.cause instanceof Error, 'a cause');
      assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
      assert.ok(err instanceof WebTapiError);
    } finally {
      await client.close();
    }
  });
});

describe('messageOf: the message of whatever was thrown', () => {
  it('takes an Error or error-like message, else the value as text, and never throws', () => {
    assert.equal(messageOf(new TypeError('bad')), 'bad');
    assert.equal(messageOf({ message: 'plain object' }), 'plain object');
    assert.equal(messageOf('text'), 'text');
    assert.equal(messageOf(42), '42');
    assert.equal(messageOf(null), 'null');
    assert.equal(messageOf(undefined), 'undefined');
    assert.equal(messageOf(Symbol('s')), 'Symbol(s)');
    assert.equal(messageOf({ message: 7 }), '[object Object]', 'a message that is not text is not taken');
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    assert.equal(messageOf(hostile), 'an error without a message');
    assert.equal(messageOf(Object.create(null)), 'an error without a message');
  });
});
