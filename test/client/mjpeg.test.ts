import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MjpegParser, WebTapiError, multipartBoundary } from '../../dist/client';
import { cameraJpeg } from '../../dist/simulator';

const FRAMES = [1, 2, 3].map((n) => cameraJpeg('44', 'Entrance', n, n === 2));

/** A JPEG whose APP1 segment holds a whole JPEG (an EXIF thumbnail): its FF D9 is not the end. */
function withThumbnail(jpeg: Buffer, thumb: Buffer): Buffer {
  const app1 = Buffer.alloc(4);
  app1[0] = 0xff;
  app1[1] = 0xe1;
  app1.writeUInt16BE(thumb.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), app1, thumb, jpeg.subarray(2)]);
}

interface Framing {
  dashes?: string;
  nl?: string;
  length?: boolean;
  preamble?: string;
}

function multipart(frames: Buffer[], f: Framing = {}): Buffer {
  const nl = f.nl ?? '\r\n';
  const parts: Buffer[] = [Buffer.from(f.preamble ?? '')];
  for (const frame of frames) {
    const len = f.length === false ? '' : `Content-Length: ${frame.length}${nl}`;
    parts.push(Buffer.from(`${f.dashes ?? '--'}myboundary${nl}Content-Type: image/jpeg${nl}${len}${nl}`), frame, Buffer.from(nl));
  }
  // without a part length a part ends only at the next delimiter: a live stream always sends one
  parts.push(Buffer.from(`${f.dashes ?? '--'}myboundary--${nl}`));
  return Buffer.concat(parts);
}

/** Parses `bytes` fed in the given chunk sizes (cycled). */
function parse(contentType: string, bytes: Buffer, sizes: number[] = [bytes.length], maxFrameBytes = 1 << 20): Buffer[] {
  const out: Buffer[] = [];
  const p = new MjpegParser({ contentType, maxFrameBytes, onFrame: (f) => out.push(f) });
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    p.push(Buffer.from(bytes.subarray(i, i + n))); // a chunk of its own, as the socket gives it
    i += n;
  }
  return out;
}

const MP = 'multipart/x-mixed-replace; boundary=myboundary';

describe('MJPEG parser', () => {
  it('takes the boundary from the content type, quoted or not, with or without leading dashes', () => {
    assert.equal(multipartBoundary('multipart/x-mixed-replace; boundary=abc'), 'abc');
    assert.equal(multipartBoundary('multipart/x-mixed-replace;boundary="--abc"'), 'abc');
    assert.equal(multipartBoundary('Multipart/X-Mixed-Replace; charset=x; Boundary=--abc'), 'abc');
    assert.equal(multipartBoundary('multipart/x-mixed-replace'), '');
    assert.equal(multipartBoundary('image/jpeg'), null);
  });

  const variants: Array<[string, string, Buffer]> = [
    ['CRLF with Content-Length', MP, multipart(FRAMES)],
    ['CRLF without Content-Length', MP, multipart(FRAMES, { length: false })],
    ['LF only with Content-Length', MP, multipart(FRAMES, { nl: '\n' })],
    ['LF only without Content-Length', MP, multipart(FRAMES, { nl: '\n', length: false })],
    ['boundary declared with leading --', 'multipart/x-mixed-replace; boundary=--myboundary', multipart(FRAMES)],
    ['delimiter without the leading --', MP, multipart(FRAMES, { dashes: '', length: false })],
    ['a preamble before the first part', MP, multipart(FRAMES, { preamble: 'hello\r\n\r\n' })],
    ['no boundary parameter (learnt from the first delimiter)', 'multipart/x-mixed-replace', multipart(FRAMES, { length: false })],
    ['bare JPEG concatenation', 'image/jpeg', Buffer.concat(FRAMES)],
    [
      'bare JPEGs with bytes between them',
      'application/octet-stream',
      Buffer.concat([Buffer.from('xx'), FRAMES[0], Buffer.from('\r\n'), FRAMES[1], FRAMES[2]]),
    ],
  ];
  for (const [name, ct, bytes] of variants) {
    it(`${name}: every frame byte-exact, whatever the chunking`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
          const got = parse(ct, bytes, sizes);
          assert.equal(got.length, FRAMES.length);
          got.forEach((f, i) => assert.ok(f.equals(FRAMES[i]), `frame ${i + 1} differs`));
        }),
        { numRuns: 60 },
      );
      const byByte = parse(ct, bytes, [1]);
      assert.deepEqual(
        byByte.map((f) => f.length),
        FRAMES.map((f) => f.length),
      );
    });
  }

  it('bare JPEGs: an EXIF thumbnail inside a frame does not end it', () => {
    const big = withThumbnail(FRAMES[0], FRAMES[2]);
    const got = parse('image/jpeg', Buffer.concat([big, FRAMES[1]]), [700]);
    assert.equal(got.length, 2);
    assert.ok(got[0].equals(big));
    assert.ok(got[1].equals(FRAMES[1]));
  });

  it('copies each frame once into a buffer of its own (no view into a chunk)', () => {
    const bytes = multipart(FRAMES);
    const chunk = Buffer.from(bytes); // one big chunk holding all frames
    const got: Buffer[] = [];
    new MjpegParser({ contentType: MP, maxFrameBytes: 1 << 20, onFrame: (f) => got.push(f) }).push(chunk);
    for (const f of got) {
      assert.notEqual(f.buffer, chunk.buffer);
      assert.equal(f.byteOffset, 0);
      assert.equal(f.buffer.byteLength, f.length);
    }
  });

  for (const [name, ct, bytes] of [
    ['declared Content-Length', MP, multipart(FRAMES)],
    ['undeclared part length', MP, multipart(FRAMES, { length: false })],
    ['bare JPEG', 'image/jpeg', Buffer.concat(FRAMES)],
  ] as Array<[string, string, Buffer]>) {
    it(`a frame over the cap ends the stream with WEBTAPI_RESPONSE_TOO_LARGE (${name})`, () => {
      const cap = Math.min(...FRAMES.map((f) => f.length)) - 1;
      assert.throws(
        () => parse(ct, bytes, [512], cap),
        (e: WebTapiError) => e.code === 'WEBTAPI_RESPONSE_TOO_LARGE',
      );
      assert.equal(parse(ct, bytes, [512], Math.max(...FRAMES.map((f) => f.length))).length, 3);
    });
  }

  it('stays bounded on a stream with no frames in it', () => {
    const p = new MjpegParser({ contentType: 'image/jpeg', maxFrameBytes: 1 << 20, onFrame: () => assert.fail('no frame') });
    for (let i = 0; i < 100; i++) p.push(Buffer.alloc(64 * 1024, 0x41));
    const m = new MjpegParser({ contentType: MP, maxFrameBytes: 1 << 20, onFrame: () => assert.fail('no frame') });
    for (let i = 0; i < 100; i++) m.push(Buffer.alloc(64 * 1024, 0x0a));
    assert.equal(p.count + m.count, 0);
    assert.ok(p.buffered <= 1 && m.buffered < 64, `held ${p.buffered} and ${m.buffered} bytes`);
  });
});
