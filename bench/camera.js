// The camera phase: a webtapi-cam-snapshot node asked P.cameraRate times a second for a picture of
// IMAGE_BYTES, with large Buffer allocations counted and memory sampled (see bench/README.md).
'use strict';
const { performance } = require('node:perf_hooks');
const { countCopies } = require('./copies');
const { percentile, memory, settle, MiB } = require('./lib');
const { progress } = require('./context');

async function camera(ctx, within) {
  const { P, IMAGE_BYTES } = ctx;
  progress(`camera: ${P.cameraRate}/s of ${IMAGE_BYTES / 1024} KiB for ${P.cameraSeconds} s`);
  const interval = 1000 / P.cameraRate;
  const total = Math.round(P.cameraSeconds * P.cameraRate);
  const start = await settle();
  const samples = [];
  const lat = [];
  let ok = 0;
  let errors = 0;
  let nonBuffer = 0;
  const s0 = await ctx.simStats();
  const copies = countCopies(256 * 1024);
  let sampler;
  let tick;
  let counted;
  try {
    sampler = setInterval(() => samples.push(memory()), 1000);
    await within(
      (P.cameraSeconds + 60) * 1000,
      'camera',
      new Promise((resolve) => {
        let sent = 0;
        let done = 0;
        tick = setInterval(() => {
          if (sent >= total) {
            clearInterval(tick);
            return;
          }
          sent++;
          const t = performance.now();
          const id = ctx.route.expect((good, msg) => {
            lat.push(performance.now() - t);
            if (good) ok++;
            else errors++;
            if (msg && msg.payload !== undefined && !Buffer.isBuffer(msg.payload)) nonBuffer++;
            if (++done === total) resolve();
          });
          ctx.rt.node('cam').receive({ payload: '44', benchId: id });
        }, interval);
      }),
    );
  } finally {
    clearInterval(sampler);
    clearInterval(tick);
    counted = copies.stop();
  }
  const s1 = await ctx.simStats();
  const end = await settle();
  return {
    images: total,
    ok,
    errors,
    nonBufferPayloads: nonBuffer,
    imageBytes: IMAGE_BYTES,
    ratePerSecond: P.cameraRate,
    seconds: P.cameraSeconds,
    pbxRequests: s1.stats.requests - s0.stats.requests,
    latencyP50Ms: percentile(lat, 50),
    latencyP99Ms: percentile(lat, 99),
    largeAllocations: counted.allocations,
    copiesPerImage: counted.allocations / total,
    base64Conversions: counted.base64,
    allocationSites: counted.sites,
    ...memoryOverRun(start, end, samples),
  };
}

/** Memory before and after the run (after a collection) and sampled every second while it ran. */
function memoryOverRun(start, end, samples) {
  const rss = samples.map((m) => m.rss);
  const ab = samples.map((m) => m.arrayBuffers);
  return {
    start,
    end,
    rssGrowthMiB: (end.rss - start.rss) / MiB,
    heapGrowthMiB: (end.heapUsed - start.heapUsed) / MiB,
    arrayBuffersGrowthMiB: (end.arrayBuffers - start.arrayBuffers) / MiB,
    rssMaxMiB: rss.length ? Math.max(...rss) / MiB : NaN,
    // The trend while pictures flow: the highest RSS of the second half against the first half.
    // (RSS after a collection says little here: the allocator keeps freed picture memory for the
    // next pictures; heap and arrayBuffers after a collection say what is still held.)
    rssTrendMiB:
      rss.length >= 2
        ? (Math.max(...rss.slice(Math.floor(rss.length / 2))) - Math.max(...rss.slice(0, Math.floor(rss.length / 2)))) / MiB
        : NaN,
    heldGrowthMiB: (end.heapUsed + end.arrayBuffers - (start.heapUsed + start.arrayBuffers)) / MiB,
    rssMinMiB: rss.length ? Math.min(...rss) / MiB : NaN,
    arrayBuffersMaxMiB: ab.length ? Math.max(...ab) / MiB : NaN,
  };
}

module.exports = { camera };
