// Small helpers of the benchmark: the simulator process, a closed-loop driver, statistics, tables.
'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

/** The simulated PBX in a child process (see sim-child.js), driven over IPC. */
class SimProcess {
  constructor() {
    this.seq = 0;
    this.pending = new Map();
    // execArgv [] keeps a --cpu-prof / --expose-gc of the benchmark out of the PBX's process.
    this.child = fork(path.join(__dirname, 'sim-child.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`simulator: ${m.error}`));
      else p.resolve(m.result);
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`simulator process exited (${code})`));
      this.pending.clear();
    });
  }

  call(cmd, extra = {}) {
    return new Promise((resolve, reject) => {
      const id = ++this.seq;
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...extra });
    });
  }

  async close() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call('close').catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * Runs `total` operations with exactly `concurrency` in flight: each completion starts the next.
 * `startOne(i, done)` starts operation i and calls done(ok) once. Measures wall time, this
 * process's CPU time and the latency of every operation.
 */
function closedLoop(total, concurrency, startOne, { stallMs = 30_000, label = 'run' } = {}) {
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    let errors = 0;
    let lastProgress = performance.now();
    const lat = new Float64Array(total);
    const cpu0 = process.cpuUsage();
    const waits0 = process.resourceUsage().voluntaryContextSwitches;
    const t0 = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgress > stallMs) {
        clearInterval(watchdog);
        reject(new Error(`${label}: no progress for ${stallMs} ms (${finished}/${total} done, ${started - finished} in flight)`));
      }
    }, 1000);
    const launch = () => {
      const i = started++;
      const ts = performance.now();
      let once = false;
      startOne(i, (ok) => {
        if (once) return;
        once = true;
        const now = performance.now();
        lat[i] = now - ts;
        lastProgress = now;
        finished++;
        if (!ok) errors++;
        if (started < total) launch();
        else if (finished === total) {
          clearInterval(watchdog);
          const cpu = process.cpuUsage(cpu0);
          // Times the process went to sleep (waiting for the PBX): each costs a wake-up.
          const sleeps = process.resourceUsage().voluntaryContextSwitches - waits0;
          resolve({ n: total, ms: now - t0, cpuUs: cpu.user + cpu.system, cpuUser: cpu.user, cpuSys: cpu.system, sleeps, errors, lat });
        }
      });
    };
    if (total === 0) {
      clearInterval(watchdog);
      resolve({ n: 0, ms: 0, cpuUs: 0, cpuUser: 0, cpuSys: 0, sleeps: 0, errors: 0, lat });
      return;
    }
    for (let k = 0; k < Math.min(concurrency, total); k++) launch();
  });
}

/** Nearest-rank percentile of an unsorted list of numbers. */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The middle value; for an even count the mean of the two middle ones. */
function median(values) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const MiB = 1024 * 1024;

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Full collections until the heap stops shrinking (weak refs and finalizers need a few rounds). */
async function settle() {
  let last = Infinity;
  for (let i = 0; i < 6; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (last - used < 64 * 1024) break;
    last = used;
  }
  return memory();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The benchmark listening to a config node's shared poll like one more watching node (`view`: what
 * it asks for and its `intervalMs`, as a node registers). `afterPoll()` resolves right after the
 * next poll's answer was handed out (it rejects after 15 s, naming `phase`); `unsubscribe()` leaves.
 */
function pollWatcher(poller, phase, view) {
  let polled = null;
  const self = {};
  const onPoll = () => {
    if (polled) polled();
  };
  poller.register(self, { ...view, onResult: onPoll, onError: onPoll });
  const unsubscribe = () => poller.deregister(self);
  const afterPoll = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${phase}: no poll answered within 15 s`)), 15_000);
      polled = () => {
        polled = null;
        clearTimeout(timer);
        resolve();
      };
    });
  return { afterPoll, unsubscribe };
}

/** A plain text table: rows of cells, the first row is the header. */
function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) =>
    '| ' +
    r
      .map((cell, c) => {
        const s = String(cell ?? '');
        return c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]);
      })
      .join(' | ') +
    ' |';
  const sep = '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

function fixed(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

module.exports = { SimProcess, closedLoop, percentile, median, memory, settle, sleep, pollWatcher, table, fixed, MiB };
