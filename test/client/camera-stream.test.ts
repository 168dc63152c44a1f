import assert from 'node:assert/strict';
import { WebTapiClient, WebTapiError, readCameraStream } from '../../dist/client';
import type { Simulator } from '../../dist/simulator';
import { code, useSimulatorClient } from './kit';

/** Reads `camera` until `n` frames came, then stops; resolves with them. */
async function frames(client: WebTapiClient, camera: string, n: number, extra: Record<string, unknown> = {}): Promise<Buffer[]> {
  const stop = new AbortController();
  const got: Buffer[] = [];
  await readCameraStream(client, camera, {
    signal: stop.signal,
    onFrame: (f) => {
      got.push(f);
      if (got.length === n) stop.abort();
    },
    ...extra,
  });
  return got;
}

describe('camera stream reader against the simulator', () => {
  let sim: Simulator;
  let client: WebTapiClient;
  useSimulatorClient(
    (s) => new WebTapiClient({ url: s.url, username: '1004', password: 'secret', concurrency: 1 }),
    (s, c) => {
      sim = s;
      client = c;
      sim.stream.intervalMs = 20;
    },
  );
  afterEach(async () => {
    const until = Date.now() + 2000;
    while (sim.openStreams() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  });

  it('resolves once stopped and closes the connection', async () => {
    const got = await frames(client, '44', 3);
    assert.equal(got.length, 3);
    const until = Date.now() + 1000;
    while (sim.openStreams() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sim.openStreams(), 0);
  });

  it('never holds a request slot: requests pass while a stream is open (concurrency 1)', async () => {
    const stop = new AbortController();
    let n = 0;
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const reading = readCameraStream(client, '44', {
      signal: stop.signal,
      onFrame: () => {
        if (++n === 1) opened();
      },
    });
    await open;
    const relays = await client.relays.list();
    assert.ok(relays.length > 0);
    stop.abort();
    await reading;
  });

  it('an expired session is renewed once and the stream opens', async () => {
    await client.connect();
    sim.expireSessions();
    const got = await frames(client, '44', 1);
    assert.equal(got.length, 1);
    assert.equal(sim.stats.logins, 2);
  });

  it('an unknown camera is WEBTAPI_ACTION_FAILED; an invalid id is refused before sending', async () => {
    await assert.rejects(frames(client, '99', 1), code('WEBTAPI_ACTION_FAILED'));
    await assert.rejects(frames(client, '4 4', 1), code('WEBTAPI_INVALID_INPUT'));
    assert.equal(sim.stats.byAction.vmx_cam_get_stream, 1);
  });

  it('no answer: WEBTAPI_TIMEOUT; a PHP warning instead of a stream: WEBTAPI_BAD_RESPONSE', async () => {
    sim.injectFault({ kind: 'hang', action: 'vmx_cam_get_stream' });
    await assert.rejects(frames(client, '44', 1, { noFrameTimeoutMs: 300 }), code('WEBTAPI_TIMEOUT'));
    sim.injectFault({ kind: 'garbage', action: 'vmx_cam_get_stream' });
    await assert.rejects(frames(client, '44', 1), code('WEBTAPI_BAD_RESPONSE'));
  });

  it('a frame over the cap ends the stream with WEBTAPI_RESPONSE_TOO_LARGE', async () => {
    await assert.rejects(frames(client, '44', 1, { maxFrameBytes: 1000 }), code('WEBTAPI_RESPONSE_TOO_LARGE'));
  });

  it('no frame for noFrameTimeoutMs: WEBTAPI_TIMEOUT', async () => {
    sim.stream.intervalMs = 10_000; // the first frame comes at once, the next much later
    await assert.rejects(frames(client, '44', 2, { noFrameTimeoutMs: 300 }), code('WEBTAPI_TIMEOUT'));
  });

  it('a stream that ends is WEBTAPI_UNREACHABLE (dropped), after the frames it sent', async () => {
    sim.stream.dropAfter = 2;
    const got: Buffer[] = [];
    await assert.rejects(readCameraStream(client, '44', { onFrame: (f) => got.push(f) }), code('WEBTAPI_UNREACHABLE'));
    assert.equal(got.length, 2);
  });

  it('close() of the client ends an open stream', async () => {
    let first!: () => void;
    const came = new Promise<void>((resolve) => {
      first = resolve;
    });
    const reading = readCameraStream(client, '44', { onFrame: () => first() });
    await came;
    const ended = assert.rejects(reading, (err: unknown) => err instanceof WebTapiError);
    await client.close();
    await ended;
  });
});
