// What a push may carry and how often (plain functions of src/nodes/config/push-params.ts, no Node-RED).
import assert from 'node:assert/strict';
import { PUSH_LIMITS, RateLimit, pushParams } from '../../dist/nodes/config/push-params';

const json = (v: unknown) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) });

describe('push parameters and rate (plain)', () => {
  it('takes the event and the other fields from query and body together', () => {
    assert.deepEqual(pushParams('event=ring&src=1009', { type: 'application/x-www-form-urlencoded', bytes: Buffer.from('dst=1001') }), {
      ok: true,
      event: 'ring',
      fields: { src: '1009', dst: '1001' },
    });
    assert.deepEqual(pushParams('', json({ event: 'alarm', zone: 3, armed: true })), {
      ok: true,
      event: 'alarm',
      fields: { zone: 3, armed: true },
    });
  });

  it('refuses each limit one past it, accepts it at the limit', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');
    assert.equal(pushParams(`event=x&${fields(PUSH_LIMITS.fields - 1)}`, null).ok, true);
    assert.deepEqual(pushParams(`event=x&${fields(PUSH_LIMITS.fields)}`, null), { ok: false, reason: 'too many fields' });
    assert.equal(pushParams(`event=x&v=${'a'.repeat(PUSH_LIMITS.valueChars)}`, null).ok, true);
    assert.deepEqual(pushParams(`event=x&v=${'a'.repeat(PUSH_LIMITS.valueChars + 1)}`, null), {
      ok: false,
      reason: 'field value too long',
    });
    assert.equal(pushParams(`event=${'e'.repeat(32)}`, null).ok, true);
    assert.equal(pushParams(`event=${'e'.repeat(33)}`, null).ok, false);
    assert.equal(pushParams(`event=x&${'k'.repeat(40)}=1`, null).ok, true);
    assert.deepEqual(pushParams(`event=x&${'k'.repeat(41)}=1`, null), { ok: false, reason: 'bad field name' });
    assert.deepEqual(pushParams('', { type: 'application/json', bytes: Buffer.alloc(PUSH_LIMITS.bytes + 1, 32) }), {
      ok: false,
      reason: 'request too large',
    });
  });

  it('refuses names that reach a prototype, and values that are not scalars', () => {
    for (const key of ['__proto__', 'constructor', 'prototype'])
      assert.deepEqual(pushParams(`event=x&${key}=1`, null), { ok: false, reason: 'bad field name' }, key);
    assert.equal(pushParams('', json({ event: 'x', list: [1] })).ok, false);
    assert.equal(pushParams('', json({ event: 'x', none: null })).ok, false);
    assert.equal(pushParams('', json({ event: 7 })).ok, false);
  });

  it('rate: 50 at once, then one per 20 ms', () => {
    const limit = new RateLimit(50, 0);
    const passed = Array.from({ length: 60 }, () => limit.take(0)).filter(Boolean).length;
    assert.equal(passed, 50);
    assert.equal(limit.take(10), false);
    assert.equal(limit.take(20), true);
    assert.equal(limit.take(20), false);
    assert.equal(Array.from({ length: 60 }, () => limit.take(10_000)).filter(Boolean).length, 50, 'never more than 50 saved up');
  });
});
