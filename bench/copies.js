// Counts large Buffer allocations (copies of a picture, base64 strings of it) while installed, and
// where they come from: the camera figure "Buffer copies per image".
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function caller() {
  const frames = String(new Error().stack).split('\n').slice(3);
  for (const f of frames) {
    if (f.includes(__filename) || f.includes('node:buffer') || f.includes('(node:')) continue;
    const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?\s*$/.exec(f);
    if (!m) continue;
    const file = m[1].startsWith(ROOT) ? path.relative(ROOT, m[1]) : m[1];
    const fn = /at (?:async )?([^\s(]+) \(/.exec(f);
    return `${file.replace(/^.*node_modules\//, 'node_modules/')}:${m[2]}${fn ? ` ${fn[1]}` : ''}`;
  }
  return 'unknown';
}

/** Installs the counters; returns { stop(): { allocations, base64, sites } }. */
function countCopies(minBytes) {
  const sites = new Map();
  let allocations = 0;
  let base64 = 0;
  let depth = 0;
  const originals = {
    concat: Buffer.concat,
    alloc: Buffer.alloc,
    allocUnsafe: Buffer.allocUnsafe,
    allocUnsafeSlow: Buffer.allocUnsafeSlow,
    from: Buffer.from,
    toString: Buffer.prototype.toString,
  };
  const note = (kind) => {
    allocations++;
    const where = `${kind} ${caller()}`;
    sites.set(where, (sites.get(where) ?? 0) + 1);
  };
  // Buffer.concat allocates through Buffer.allocUnsafe: count the outer call only.
  const wrapSize = (name) =>
    function (size, ...rest) {
      if (depth === 0 && typeof size === 'number' && size >= minBytes) note(`Buffer.${name}`);
      depth++;
      try {
        return originals[name].call(this, size, ...rest);
      } finally {
        depth--;
      }
    };
  Buffer.alloc = wrapSize('alloc');
  Buffer.allocUnsafe = wrapSize('allocUnsafe');
  Buffer.allocUnsafeSlow = wrapSize('allocUnsafeSlow');
  Buffer.concat = function (list, length) {
    depth++;
    let out;
    try {
      out = originals.concat.call(this, list, length);
    } finally {
      depth--;
    }
    if (depth === 0 && out.length >= minBytes) note('Buffer.concat');
    return out;
  };
  Buffer.from = function (value, ...rest) {
    depth++;
    let out;
    try {
      out = originals.from.call(this, value, ...rest);
    } finally {
      depth--;
    }
    // Buffer.from(arrayBuffer) is a view, not a copy.
    const view = value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer);
    if (depth === 0 && !view && out.length >= minBytes) note('Buffer.from');
    return out;
  };
  Buffer.prototype.toString = function (encoding, ...rest) {
    if (this.length >= minBytes && (encoding === 'base64' || encoding === 'base64url')) {
      base64++;
      const where = `toString(base64) ${caller()}`;
      sites.set(where, (sites.get(where) ?? 0) + 1);
    }
    return originals.toString.call(this, encoding, ...rest);
  };
  return {
    stop() {
      Object.assign(Buffer, {
        concat: originals.concat,
        alloc: originals.alloc,
        allocUnsafe: originals.allocUnsafe,
        allocUnsafeSlow: originals.allocUnsafeSlow,
        from: originals.from,
      });
      Buffer.prototype.toString = originals.toString;
      return { allocations, base64, sites: Object.fromEntries([...sites].sort((a, b) => b[1] - a[1])) };
    },
  };
}

module.exports = { countCopies };
