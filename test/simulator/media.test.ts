import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { actionUrl, login, request } from './helpers';

interface Decoded {
  width: number;
  height: number;
  data: Uint8Array;
}
/** jpeg-js as bundled by playwright-core (a dev dependency), if this version still bundles it. */
function jpegDecoder(): ((b: Buffer) => Decoded) | undefined {
  try {
    const bundle = require('playwright-core/lib/utilsBundle') as { jpegjs?: { decode(b: Buffer, o: object): Decoded } };
    const jpegjs = bundle.jpegjs;
    return jpegjs ? (b) => jpegjs.decode(b, { useTArray: true }) : undefined;
  } catch {
    return undefined;
  }
}

/** Walk the JPEG markers: answers SOF0 dimensions and the marker list. */
function jpegMarkers(b: Buffer): { markers: number[]; width: number; height: number; components: number } {
  assert.equal(b.readUInt16BE(0), 0xffd8, 'SOI');
  const markers: number[] = [];
  let p = 2;
  let width = 0;
  let height = 0;
  let components = 0;
  for (;;) {
    assert.equal(b[p], 0xff, `marker at ${p}`);
    const m = b[p + 1];
    markers.push(m);
    const len = b.readUInt16BE(p + 2);
    if (m === 0xc0) {
      height = b.readUInt16BE(p + 5);
      width = b.readUInt16BE(p + 7);
      components = b[p + 9];
    }
    p += 2 + len;
    if (m === 0xda) break; // entropy-coded data follows
  }
  return { markers, width, height, components };
}

describe('simulator: media', () => {
  let sim: Simulator;
  let sid: string;

  afterEach(async () => {
    await sim?.close();
  });

  async function start(opts = {}): Promise<void> {
    sim = await startSimulator(opts);
    sid = await login(sim);
  }

  it('vmx_cam_get_pic answers a real baseline JPEG that changes per request', async () => {
    await start();
    const a = await request(actionUrl(sim, sid, 'vmx_cam_get_pic', { CAMID: '44' }));
    const b = await request(actionUrl(sim, sid, 'vmx_cam_get_pic', { CAMID: '44' }));
    assert.equal(a.headers['content-type'], 'image/jpeg');
    assert.equal(Number(a.headers['content-length']), a.body.length);
    for (const jpg of [a.body, b.body]) {
      const info = jpegMarkers(jpg);
      assert.deepEqual([info.width, info.height, info.components], [160, 120, 3]);
      assert.deepEqual(info.markers, [0xe0, 0xdb, 0xc0, 0xc4, 0xda]);
      assert.equal(jpg.readUInt16BE(jpg.length - 2), 0xffd9, 'EOI');
    }
    assert.ok(!a.body.equals(b.body), 'a new picture per request');
    assert.equal(sim.state.cameras.get('44')!.frames, 2);
    const decode = jpegDecoder();
    if (decode) {
      const img = decode(a.body);
      assert.deepEqual([img.width, img.height], [160, 120]);
      const px = new Set<number>();
      for (let i = 0; i < img.data.length; i += 4 * 97) px.add(img.data[i]);
      assert.ok(px.size > 10, 'a picture, not a flat colour');
    }
  });

  it('imageBytes pads pictures with COM segments; they still decode', async () => {
    await start({ imageBytes: 500 * 1024 });
    const r = await request(actionUrl(sim, sid, 'vmx_cam_get_pic', { CAMID: '45' }));
    assert.equal(r.body.length, 500 * 1024);
    const info = jpegMarkers(r.body);
    assert.equal(info.markers[0], 0xe0);
    assert.ok(info.markers.filter((m) => m === 0xfe).length >= 8);
    assert.equal(info.width, 160);
    assert.equal(r.body.readUInt16BE(r.body.length - 2), 0xffd9);
    const decode = jpegDecoder();
    if (decode) assert.equal(decode(r.body).height, 120);
  });

  it('call_record_get answers a valid 8 kHz 16-bit mono WAV', async () => {
    await start();
    const file = sim.state.recordings.keys().next().value as string;
    const r = await request(actionUrl(sim, sid, 'call_record_get', { monitor_file: file }));
    const w = r.body;
    assert.equal(r.headers['content-type'], 'audio/wav');
    assert.equal(w.toString('ascii', 0, 4), 'RIFF');
    assert.equal(w.readUInt32LE(4), w.length - 8);
    assert.equal(w.toString('ascii', 8, 16), 'WAVEfmt ');
    assert.equal(w.readUInt32LE(16), 16);
    assert.equal(w.readUInt16LE(20), 1, 'PCM');
    assert.equal(w.readUInt16LE(22), 1, 'mono');
    assert.equal(w.readUInt32LE(24), 8000);
    assert.equal(w.readUInt32LE(28), 16000);
    assert.equal(w.readUInt16LE(32), 2);
    assert.equal(w.readUInt16LE(34), 16);
    assert.equal(w.toString('ascii', 36, 40), 'data');
    assert.equal(w.readUInt32LE(40), w.length - 44);
    assert.ok(w.length - 44 >= 14000 && w.length - 44 <= 20000, 'about a second');
    let peak = 0;
    for (let i = 44; i < w.length; i += 2) peak = Math.max(peak, Math.abs(w.readInt16LE(i)));
    assert.ok(peak > 5000, 'a tone, not silence');
  });

  it('vmx_cam_get_stream answers multipart MJPEG frames until the client leaves', async () => {
    await start();
    const parts = await new Promise<Buffer[]>((resolve, reject) => {
      const req = http.get(actionUrl(sim, sid, 'vmx_cam_get_stream', { CAMID: '44' }), { agent: false }, (res) => {
        try {
          assert.equal(res.statusCode, 200);
          const m = /^multipart\/x-mixed-replace; boundary=(\S+)$/.exec(String(res.headers['content-type']));
          assert.ok(m, String(res.headers['content-type']));
          const boundary = Buffer.from(`--${m[1]}\r\n`);
          let buf = Buffer.alloc(0);
          const frames: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            buf = Buffer.concat([buf, c]);
            for (;;) {
              if (buf.indexOf(boundary) !== 0) break;
              const headEnd = buf.indexOf('\r\n\r\n');
              if (headEnd < 0) break;
              const head = buf.subarray(0, headEnd).toString();
              const len = Number(/Content-Length: (\d+)/i.exec(head)?.[1]);
              assert.match(head, /Content-Type: image\/jpeg/i);
              if (buf.length < headEnd + 4 + len + 2) break;
              frames.push(buf.subarray(headEnd + 4, headEnd + 4 + len));
              buf = buf.subarray(headEnd + 4 + len + 2);
            }
            if (frames.length >= 2) {
              req.destroy();
              resolve(frames);
            }
          });
        } catch (e) {
          req.destroy();
          reject(e);
        }
      });
      req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
    });
    for (const f of parts) {
      assert.equal(f.readUInt16BE(0), 0xffd8);
      assert.equal(f.readUInt16BE(f.length - 2), 0xffd9);
      assert.equal(jpegMarkers(f).width, 160);
    }
    assert.ok(!parts[0].equals(parts[1]));
  });
});
