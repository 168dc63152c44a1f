import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { parseStreamSpec } from '../../dist/simulator/stream';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { actionUrl, login, waitFor } from './helpers';

interface Raw {
  contentType: string;
  body: Buffer;
  ended: boolean;
}

/** The raw stream: its bytes until `enough` says so (then the client leaves) or the server ends it. */
function readRaw(url: string, enough: (body: Buffer) => boolean): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      let settled = false;
      const done = (ended: boolean) => {
        if (settled) return;
        settled = true;
        req.destroy();
        resolve({ contentType: String(res.headers['content-type']), body: Buffer.concat(parts), ended });
      };
      res.on('data', (c: Buffer) => {
        parts.push(c);
        if (enough(Buffer.concat(parts))) done(false);
      });
      res.on('end', () => done(true));
      res.on('error', () => done(true));
      res.on('close', () => done(true));
    });
    req.on('error', reject);
  });
}

const count = (body: Buffer, what: Buffer | string): number => {
  let n = 0;
  for (let i = body.indexOf(what); i >= 0; i = body.indexOf(what, i + 1)) n++;
  return n;
};
const SOI = Buffer.from([0xff, 0xd8, 0xff]);
const EOI = Buffer.from([0xff, 0xd9]);

describe('simulator: camera stream options', () => {
  let sim: Simulator;
  let sid: string;
  before(async () => {
    sim = await startSimulator({ port: 0 });
    sid = await login(sim);
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.stream.intervalMs = 20;
  });
  const url = () => actionUrl(sim, sid, 'vmx_cam_get_stream', { CAMID: '44' });

  it('counts open streams per camera, back to 0 when the client leaves', async () => {
    let seen = 0;
    await readRaw(url(), (b) => {
      seen = Math.max(seen, sim.openStreams('44'));
      return count(b, EOI) >= 2;
    });
    assert.equal(seen, 1);
    await waitFor(() => sim.openStreams() === 0);
  });

  it('frames change: each carries its own counter, tap sees each as sent', async () => {
    const tapped: Buffer[] = [];
    sim.stream.tap = (camera, f) => {
      if (camera === '44') tapped.push(f);
    };
    const raw = await readRaw(url(), (b) => count(b, EOI) >= 3);
    assert.ok(tapped.length >= 3);
    assert.notDeepEqual(tapped[0], tapped[1]);
    for (const f of tapped.slice(0, 3)) assert.ok(raw.body.includes(f), 'a tapped frame is in the body byte for byte');
  });

  it('LF only, without part lengths', async () => {
    Object.assign(sim.stream, { lineEnding: '\n', partLength: false });
    const raw = await readRaw(url(), (b) => count(b, EOI) >= 2);
    assert.match(raw.contentType, /^multipart\/x-mixed-replace; boundary=/);
    const head = raw.body.subarray(0, raw.body.indexOf(SOI)).toString('latin1');
    assert.doesNotMatch(head, /\r/);
    assert.doesNotMatch(head, /Content-Length/i);
    assert.match(head, /^--\w+\nContent-Type: image\/jpeg\n\n$/);
  });

  it('bare JPEG concatenation as image/jpeg', async () => {
    sim.stream.format = 'bare';
    const raw = await readRaw(url(), (b) => count(b, EOI) >= 2);
    assert.equal(raw.contentType, 'image/jpeg');
    assert.equal(raw.body.indexOf(SOI), 0);
    assert.equal(count(raw.body, 'Content-Type'), 0, 'no multipart framing');
    assert.equal(count(raw.body, SOI), count(raw.body.subarray(0, raw.body.lastIndexOf(EOI) + 2), EOI));
  });

  it('drops the connection after N frames', async () => {
    sim.stream.dropAfter = 3;
    const raw = await readRaw(url(), () => false);
    assert.ok(raw.ended);
    assert.equal(count(raw.body, 'Content-Type: image/jpeg'), 3);
    await waitFor(() => sim.openStreams() === 0);
  });

  it('options from startSimulator and the CLI spec are checked', async () => {
    assert.deepEqual(parseStreamSpec('bare,lf,no-length,drop=5,interval=100'), {
      format: 'bare',
      lineEnding: '\n',
      partLength: false,
      dropAfter: 5,
      intervalMs: 100,
    });
    assert.throws(() => parseStreamSpec('sideways'), /unknown stream option/);
    await assert.rejects(startSimulator({ port: 0, stream: { intervalMs: 0 } }), /intervalMs/);
    const other = await startSimulator({ port: 0, stream: { format: 'bare', dropAfter: 2 } });
    try {
      assert.equal(other.stream.format, 'bare');
      assert.equal(other.stream.dropAfter, 2);
    } finally {
      await other.close();
    }
  });
});
