// The one polling wait of the scripts and the tests: for state that sends no event (another
// process's output, a simulator's counters, an HTTP endpoint). Where an event exists, await it.
'use strict';

/**
 * Calls `probe` (sync or async) until it answers something truthy, and resolves with that answer.
 * A probe that throws counts as "not yet"; its last error is in the timeout's message.
 * `options`: the timeout in ms, or { timeoutMs = 5000, everyMs = 2, what = 'condition' }.
 */
async function until(probe, options = {}) {
  const { timeoutMs = 5000, everyMs = 2, what = 'condition' } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${what}: not met within ${timeoutMs} ms (last: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

module.exports = { until };
