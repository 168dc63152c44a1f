#!/usr/bin/env node
// Camera streams (issue 13): the MJPEG parser against a minimal boundary splitter over the same
// bytes, memory over a long stream, and CPU per frame of four cameras at 25 fps over real HTTP.
//
//   node bench/mjpeg.js            full run (about a minute)
//   node bench/mjpeg.js --smoke    a few seconds; asserts no timing
//   node bench/mjpeg.js --json     JSON on stdout
// bench/run.js runs it as its `mjpeg` phase: phase() runs this file in a process of its own.
'use strict';

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { SimProcess, median, settle, sleep, fixed, MiB } = require('./lib');

const DIST = path.join(__dirname, '..', 'dist');
const FRAME_BYTES = 100 * 1024;
const CHUNK_BYTES = 64 * 1024; // what a socket hands over at a time

// ---------------------------------------------------------------- parser vs. minimal splitter

/** Eight distinct camera frames of 100 KiB as one multipart stream, in socket-sized chunks. */
function streamBytes() {
  const { cameraJpeg } = require(path.join(DIST, 'simulator'));
  const parts = [];
  for (let i = 1; i <= 8; i++) {
    const frame = cameraJpeg('44', 'Entrance', i, false, FRAME_BYTES);
    parts.push(Buffer.from(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`), frame, Buffer.from('\r\n'));
  }
  const all = Buffer.concat(parts);
  const chunks = [];
  for (let i = 0; i < all.length; i += CHUNK_BYTES) chunks.push(Buffer.from(all.subarray(i, i + CHUNK_BYTES)));
  // a live stream's next delimiter: the splitter's last frame ends only there
  return { chunks, tail: Buffer.from('--frame\r\n'), bytes: all.length, frames: 8 };
}

/**
 * What a stream reader written in a hurry does: append each chunk to what is pending, cut at
 * the delimiter. Frames are views into the joined buffer (they keep it alive).
 */
function minimalSplitter(onFrame) {
  const delimiter = Buffer.from('--frame');
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const start = pending.indexOf(delimiter);
      if (start < 0) return;
      const next = pending.indexOf(delimiter, start + delimiter.length);
      if (next < 0) {
        if (start > 0) pending = pending.subarray(start);
        return;
      }
      const head = pending.indexOf('\r\n\r\n', start);
      onFrame(pending.subarray(head + 4, next - 2));
      pending = pending.subarray(next);
    }
  };
}

/**
 * One run of `reps` passes over the stream. Timed in CPU time of this process, not wall time: on a
 * shared machine a run that is descheduled would otherwise count the other processes' work.
 */
function timeRun(makeFeed, stream, reps) {
  global.gc?.(); // each run starts with a clean heap: the other's garbage is not billed to it
  let frames = 0;
  const feed = makeFeed(() => {
    frames++;
  });
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) for (const c of stream.chunks) feed(c);
  feed(stream.tail);
  const used = process.cpuUsage(c0);
  const ms = (used.user + used.system) / 1000;
  return { ms, frames, fps: frames / (ms / 1000), mbps: (stream.bytes * reps) / MiB / (ms / 1000) };
}

function parserThroughput(smoke) {
  const { MjpegParser } = require(path.join(DIST, 'client'));
  const stream = streamBytes();
  // short runs, alternating, many of them: the median is what a shared machine lets through
  const reps = smoke ? 10 : 40;
  const rounds = smoke ? 3 : 25;
  const parser = (onFrame) => {
    const p = new MjpegParser({ contentType: 'multipart/x-mixed-replace; boundary=frame', maxFrameBytes: 32 * MiB, onFrame });
    return (c) => p.push(c);
  };
  for (let i = 0; i < 3; i++) {
    // warm-up (JIT)
    timeRun(parser, stream, 10);
    timeRun(minimalSplitter, stream, 10);
  }
  const ours = [];
  const theirs = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(timeRun(parser, stream, reps));
    theirs.push(timeRun(minimalSplitter, stream, reps));
  }
  const med = (list, key) => median(list.map((x) => x[key]));
  const result = {
    frameBytes: FRAME_BYTES,
    chunkBytes: CHUNK_BYTES,
    framesPerRound: ours[0].frames,
    parser: { fps: med(ours, 'fps'), mbps: med(ours, 'mbps') },
    splitter: { fps: med(theirs, 'fps'), mbps: med(theirs, 'mbps') },
  };
  if (result.framesPerRound !== theirs[0].frames) throw new Error('parser and splitter found different frame counts');
  // paired: each parser round against the splitter round right after it
  result.ratio = median(ours.map((o, i) => o.mbps / theirs[i].mbps));
  return result;
}

// ---------------------------------------------------------------- over HTTP from the simulator

/** 10,000 frames of 100 KiB through the client's stream reader: RSS before and after. */
async function memoryRun(smoke, progress) {
  const { WebTapiClient, readCameraStream } = require(path.join(DIST, 'client'));
  const frames = smoke ? 300 : 10_000;
  const sim = new SimProcess();
  try {
    const { url } = await sim.call('start', { options: { port: 0, imageBytes: FRAME_BYTES }, stream: { intervalMs: 1 } });
    const client = new WebTapiClient({ url, username: '1004', password: 'secret' });
    const stop = new AbortController();
    let count = 0;
    let bytes = 0;
    let rss0 = 0;
    let peak = 0;
    const warmup = Math.min(200, frames / 3);
    let warmed;
    const warm = new Promise((resolve) => {
      warmed = resolve;
    });
    let finished;
    const finish = new Promise((resolve) => {
      finished = resolve;
    });
    const t0 = performance.now();
    const reading = readCameraStream(client, '44', {
      signal: stop.signal,
      onFrame: (f) => {
        count++;
        bytes += f.length;
        if (count % 500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        if (count === warmup) warmed();
        if (count === warmup + frames) {
          stop.abort();
          finished();
        }
      },
    });
    await warm;
    await settle();
    rss0 = process.memoryUsage().rss;
    progress(`memory: ${frames} frames of ${FRAME_BYTES / 1024} KiB`);
    await finish;
    await reading;
    const seconds = (performance.now() - t0) / 1000;
    await settle();
    const rss1 = process.memoryUsage().rss;
    await client.close();
    return {
      frames,
      frameBytes: FRAME_BYTES,
      seconds,
      fps: count / seconds,
      mbps: bytes / MiB / seconds,
      rssGrowthMiB: (rss1 - rss0) / MiB,
      rssPeakGrowthMiB: (Math.max(peak, rss1) - rss0) / MiB,
    };
  } finally {
    await sim.close();
  }
}

/** Four cameras at 25 fps each through one client: this process's CPU time per frame. */
async function cpuRun(smoke, progress) {
  const { WebTapiClient, readCameraStream } = require(path.join(DIST, 'client'));
  const cameras = ['1', '2', '3', '4'].map((id) => ({ id, name: `Camera ${id}` }));
  const seconds = smoke ? 2 : 15;
  const sim = new SimProcess();
  try {
    const { url } = await sim.call('start', { options: { port: 0, cameras, imageBytes: FRAME_BYTES }, stream: { intervalMs: 40 } });
    const client = new WebTapiClient({ url, username: '1004', password: 'secret' });
    const stop = new AbortController();
    let frames = 0;
    let counting = false;
    const readers = cameras.map((c) =>
      readCameraStream(client, c.id, {
        signal: stop.signal,
        onFrame: () => {
          if (counting) frames++;
        },
      }),
    );
    await sleep(1000); // all four open and flowing
    progress(`cpu: 4 cameras at 25 fps for ${seconds} s`);
    counting = true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const elapsed = (performance.now() - t0) / 1000;
    counting = false;
    stop.abort();
    await Promise.allSettled(readers);
    await client.close();
    return {
      cameras: 4,
      targetFps: 25,
      seconds: elapsed,
      frames,
      fps: frames / elapsed,
      cpuUsPerFrame: (cpu.user + cpu.system) / frames,
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    };
  } finally {
    await sim.close();
  }
}

// ---------------------------------------------------------------- the phase

function targets(r) {
  return [
    { name: 'mjpeg: parser MB/s / minimal boundary splitter', value: r.parse.ratio, goal: '>= 0.8', pass: r.parse.ratio >= 0.8, unit: 'x' },
    {
      name: `mjpeg: RSS growth over ${r.memory.frames} frames of 100 KiB`,
      value: r.memory.rssGrowthMiB,
      goal: '< 20 MiB',
      pass: r.memory.rssGrowthMiB < 20,
      unit: 'MiB',
    },
  ];
}

async function run({ smoke = false, progress = () => undefined } = {}) {
  progress('mjpeg: parser vs. minimal splitter');
  const parse = parserThroughput(smoke);
  const memory = await memoryRun(smoke, progress);
  const cpu = await cpuRun(smoke, progress);
  const r = { smoke, parse, memory, cpu };
  r.targets = targets(r);
  return r;
}

/** One line for bench/run.js's figures table. */
function summary(r) {
  return (
    `parser ${fixed(r.parse.parser.fps, 0)} frames/s, ${fixed(r.parse.parser.mbps, 0)} MB/s (splitter ${fixed(r.parse.splitter.fps, 0)}, ${fixed(r.parse.splitter.mbps, 0)}) on ${r.parse.frameBytes / 1024} KiB frames; ` +
    `${r.memory.frames} frames over HTTP, RSS growth ${fixed(r.memory.rssGrowthMiB, 1)} MiB; 4 cameras at 25 fps: ${fixed(r.cpu.cpuUsPerFrame, 0)} µs CPU per frame`
  );
}

/**
 * The phase of bench/run.js. It runs in a process of its own (this file with --json): RSS and CPU
 * figures of the benchmark's process would also hold Node-RED and the other phases.
 */
async function phase(ctx) {
  const { execFile } = require('node:child_process');
  ctx.progress('mjpeg: in its own process');
  const args = ['--expose-gc', __filename, '--json', ...(ctx.results?.smoke ? ['--smoke'] : [])];
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * MiB }, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
  });
  const r = JSON.parse(out);
  r.summary = summary(r);
  return r;
}

function print(r) {
  const lines = [
    `MJPEG parser, frames of ${r.parse.frameBytes / 1024} KiB in ${r.parse.chunkBytes / 1024} KiB chunks (CPU time, median of rounds):`,
    `  parser              ${fixed(r.parse.parser.fps, 0)} frames/s  ${fixed(r.parse.parser.mbps, 0)} MB/s (each frame copied once into its own Buffer)`,
    `  minimal splitter    ${fixed(r.parse.splitter.fps, 0)} frames/s  ${fixed(r.parse.splitter.mbps, 0)} MB/s (frames are views into joined chunks)`,
    `Over HTTP from the simulator: ${r.memory.frames} frames at ${fixed(r.memory.fps, 0)} frames/s (${fixed(r.memory.mbps, 0)} MB/s), RSS growth ${fixed(r.memory.rssGrowthMiB, 1)} MiB (peak ${fixed(r.memory.rssPeakGrowthMiB, 1)} MiB)`,
    `4 cameras at 25 fps: ${fixed(r.cpu.fps, 1)} frames/s received, ${fixed(r.cpu.cpuUsPerFrame, 0)} µs CPU per frame (${fixed(r.cpu.cpuPercent, 1)} % of a core)`,
    ...r.targets.map(
      (t) => `  ${t.pass ? 'pass' : r.smoke ? 'miss (smoke)' : 'MISS'}  ${t.name}: ${fixed(t.value, 2)} ${t.unit} (goal ${t.goal})`,
    ),
  ];
  return lines.join('\n');
}

module.exports = { run, phase, print, parserThroughput };

if (require.main === module) {
  if (typeof global.gc !== 'function') {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const smoke = process.argv.includes('--smoke');
  run({ smoke, progress: (t) => process.stderr.write(`[bench] ${t}\n`) }).then(
    (r) => {
      process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(r, null, 2)}\n` : `${print(r)}\n`);
      if (!smoke && r.targets.some((t) => !t.pass)) process.exitCode = 1;
    },
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
