import assert from 'node:assert/strict';
import { channelChanges, valueChanges } from '../../dist/client';

describe('change detectors', () => {
  it('valueChanges: new keys only when initial, changed values with previous, missing keys kept', () => {
    const same = (a: { code: number }, b: { code: number }) => a.code === b.code;
    const first = valueChanges(new Map(), { 1001: { code: 0 }, 1002: { code: 8 } }, ['1001', '1002', '1003'], { initial: false, same });
    assert.deepEqual(first.changes, []);
    assert.deepEqual([...first.next.keys()], ['1001', '1002']);
    const second = valueChanges(first.next, { 1001: { code: 0 }, 1002: { code: 1 } }, ['1001', '1002'], { initial: false, same });
    assert.deepEqual(second.changes, [{ key: '1002', value: { code: 1 }, previous: { code: 8 } }]);
    const third = valueChanges(second.next, {}, ['1001', '1002'], { initial: true, same });
    assert.deepEqual(third.changes, []);
    assert.equal(third.next.get('1002')!.code, 1, 'a key the PBX skipped once is not forgotten');
    assert.deepEqual(valueChanges(new Map(), { 17: 1 }, ['17'], { initial: true }).changes, [{ key: '17', value: 1 }]);
  });

  it('valueChanges never reads inherited keys', () => {
    assert.deepEqual(valueChanges(new Map(), {}, ['toString', '__proto__'], { initial: true }).changes, []);
  });

  it('channelChanges: the first list is taken as it is; then started and ended by channel (or raw line)', () => {
    const a = { channel: 'SIP/1001-00000001', raw: 'a' };
    const b = { channel: 'SIP/1002-00000002', raw: 'b' };
    const odd = { raw: 'something the PBX says' };
    const first = channelChanges(null, [a, odd]);
    assert.deepEqual([first.started, first.ended], [[], []]);
    const second = channelChanges(first.next, [b, odd]);
    assert.deepEqual(second.started, [b]);
    assert.deepEqual(second.ended, [a]);
  });
});
