// The pure parts of the stream nodes: the frame history's bounds and the newest-frame throttle.
import assert from 'node:assert/strict';
import { FrameHistory, HISTORY_MAX_BYTES, HISTORY_MAX_FRAMES } from '../../dist/nodes/services/streams/hub';
import { FrameThrottle, framesPerSecond } from '../../dist/nodes/services/streams/throttle';
import { historySeconds, pictureTime } from '../../dist/nodes/services/streams/history';

describe('frame history', () => {
  it('keeps the frames of the last N seconds and finds the nearest within the tolerance', () => {
    const h = new FrameHistory();
    h.seconds = 2;
    for (let t = 0; t <= 5000; t += 100) h.push({ data: Buffer.from([t / 100]), at: t });
    assert.equal(h.size, 21); // 3000..5000
    assert.equal(h.nearest(4049, 1000)?.at, 4000);
    assert.equal(h.nearest(4051, 1000)?.at, 4100);
    assert.equal(h.nearest(2100, 1000)?.at, 3000);
    assert.equal(h.nearest(1000, 1000), undefined);
    assert.equal(h.nearest(7000, 1000), undefined);
  });

  it('is bounded in frames and in bytes', () => {
    const h = new FrameHistory();
    h.seconds = 60;
    for (let i = 0; i < HISTORY_MAX_FRAMES + 500; i++) h.push({ data: Buffer.alloc(1), at: i });
    assert.equal(h.size, HISTORY_MAX_FRAMES);
    const big = new FrameHistory();
    big.seconds = 60;
    const frame = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 100; i++) big.push({ data: frame, at: i });
    assert.ok(big.byteSize <= HISTORY_MAX_BYTES);
    assert.equal(big.size, HISTORY_MAX_BYTES / frame.length);
  });

  it('keeps nothing with 0 seconds', () => {
    const h = new FrameHistory();
    h.push({ data: Buffer.alloc(10), at: 1 });
    assert.equal(h.size, 0);
  });
});

describe('newest-frame throttle', () => {
  it('sends the first frame at once, then at most one per interval, always the newest', async () => {
    const sent: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const t = new FrameThrottle(100, (data) => {
      sent.push(data[0]);
      if (data[0] === 9) done();
    });
    for (let i = 0; i < 9; i++) t.offer(Buffer.from([i]), i);
    assert.deepEqual(sent, [0]);
    t.offer(Buffer.from([9]), 9);
    await finished;
    assert.deepEqual(sent, [0, 9]); // 1..8 were replaced, never queued
    t.reset();
  });

  it('reads fps and history from the dialog within their ranges', () => {
    assert.equal(framesPerSecond(undefined), 2);
    assert.equal(framesPerSecond('5'), 5);
    assert.equal(framesPerSecond(100), 30);
    assert.equal(framesPerSecond(0.01), 0.1);
    assert.equal(framesPerSecond('x'), 2);
    assert.equal(historySeconds(''), 0);
    assert.equal(historySeconds('5'), 5);
    assert.equal(historySeconds(600), 60);
    assert.equal(pictureTime(undefined), undefined);
    assert.equal(pictureTime(1700000000000), 1700000000000);
    assert.equal(pictureTime('1700000000000'), 1700000000000);
    assert.equal(pictureTime('2026-11-29T12:00:00.000Z'), Date.parse('2026-11-29T12:00:00.000Z'));
    assert.throws(() => pictureTime('soon'), /epoch milliseconds/);
  });
});
