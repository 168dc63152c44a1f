// The simulator's pushes (webtapi-sim --push URL, option push, control API /sim/push): a request
// per change of the PBX model, as a dialplan would send; bounded when the receiver is down or hangs.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebTapiClient } from '../../dist/client';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { request, until } from './helpers';

interface Receiver {
  url: string;
  got: Array<Record<string, string>>;
  close(): Promise<void>;
}

/** An HTTP server that records each request's query; `hang`: it never answers. */
async function receiver(hang = false): Promise<Receiver> {
  const got: Array<Record<string, string>> = [];
  const server = http.createServer((req, res) => {
    got.push(Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams));
    if (!hang) res.end('1');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metasec-webtapi/events/SECRET-TOKEN-IN-PATH?from=sim`,
    got,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('simulator: pushes', () => {
  let sim: Simulator | undefined;
  let rx: Receiver | undefined;
  const logged: string[] = [];
  afterEach(async () => {
    await sim?.close();
    await rx?.close();
    sim = undefined;
    rx = undefined;
    logged.length = 0;
  });

  async function start(hang = false): Promise<{ sim: Simulator; rx: Receiver }> {
    rx = await receiver(hang);
    sim = await startSimulator({ port: 0, push: rx.url, log: (l) => logged.push(l) });
    return { sim, rx };
  }

  it("ring, answer, hang-up of the called phone, with src, dst and chan; the URL's own query kept", async () => {
    const { sim, rx } = await start();
    const chan = sim.doorbell('1001');
    sim.answer(chan);
    sim.hangup(chan);
    await until(() => sim.pushes.sent === 3);
    assert.deepEqual(
      rx.got,
      ['ring', 'answer', 'hangup'].map((event) => ({ from: 'sim', event, src: '1009', dst: '1001', chan })),
    );
    assert.deepEqual([sim.pushes.sent, sim.pushes.failed, sim.pushes.dropped], [3, 0, 0]);
  });

  it('changes made over WebTAPI push too: a call placed, a relay switched; a poll pushes nothing', async () => {
    const { sim, rx } = await start();
    const client = new WebTapiClient({ url: sim.url, username: '1004', password: 'secret' });
    try {
      await client.calls.listAll();
      await client.execute('call', { src: '1004', dst: '1002' });
      await client.execute('relay_status_set', { relay_id: '17', status: 1 });
      await until(() => rx.got.length === 2);
      assert.deepEqual(
        rx.got.map((g) => g.event),
        ['ring', 'relay'],
      );
      assert.deepEqual([rx.got[0].src, rx.got[0].dst], ['1004', '1002']);
      assert.deepEqual([rx.got[1].relay, rx.got[1].status], ['17', '1']);
    } finally {
      await client.close();
    }
  });

  it('a call answered after --ring-ms pushes its answer from the timer', async () => {
    rx = await receiver();
    sim = await startSimulator({ port: 0, push: rx.url, ringMs: 20 });
    sim.ring('1002', '+4930123456');
    await until(() => rx!.got.length === 2);
    assert.deepEqual(
      rx.got.map((g) => [g.event, g.src]),
      [
        ['ring', '+4930123456'],
        ['answer', '+4930123456'],
      ],
    );
  });

  it('a receiver that is down: the PBX goes on, failures counted and logged once without the path', async () => {
    const { sim, rx } = await start();
    await rx.close();
    for (let i = 0; i < 3; i++) sim.hangup(sim.ring('1001', '1009'));
    await until(() => sim.pushes.failed === 6);
    const answer = await request(`${new URL('/sim/calls', sim.url).href}`);
    assert.equal(answer.status, 200);
    assert.equal(logged.filter((l) => l.startsWith('push to')).length, 1);
    assert.ok(logged.every((l) => !l.includes('SECRET-TOKEN')));
  });

  it('a receiver that never answers: one request at a time, the queue bounded, the PBX answers meanwhile', async () => {
    const { sim, rx } = await start(true);
    for (let i = 0; i < 80; i++) sim.hangup(sim.ring('1001', '1009'));
    assert.ok(sim.pushes.dropped >= 59, `dropped ${sim.pushes.dropped}`);
    assert.equal(sim.pushes.events.ring, 80);
    await until(() => rx.got.length === 1);
    const answer = await request(`${new URL('/sim/calls', sim.url).href}`);
    assert.equal(answer.status, 200);
    assert.equal(rx.got.length, 1, 'one request in flight');
  });

  it('control API: POST /sim/push?url= sets and clears it, GET /sim/push counts; the URL is never answered back', async () => {
    rx = await receiver();
    sim = await startSimulator({ port: 0 });
    const base = new URL('/sim/', sim.url).href;
    const set = await request(`${base}push?url=${encodeURIComponent(rx.url)}`, { method: 'POST' });
    assert.deepEqual(JSON.parse(set.text), { ok: true, pushing: true });
    sim.doorbell();
    await until(() => rx!.got.length === 1);
    const stats = await request(`${base}push`);
    assert.deepEqual(JSON.parse(stats.text), { ok: true, pushing: true, sent: 1, failed: 0, dropped: 0, events: { ring: 1 } });
    assert.equal((await request(`${base}push?url=ftp%3A%2F%2Fx`, { method: 'POST' })).status, 400);
    const off = await request(`${base}push`, { method: 'POST' });
    assert.deepEqual(JSON.parse(off.text), { ok: true, pushing: false });
    sim.hangupAll();
    for (const a of [set, stats, off]) assert.ok(!a.text.includes('SECRET-TOKEN'));
    assert.equal(sim.pushes.events.hangup, undefined);
  });
});
