#!/usr/bin/env node
// Self time per function (and per file) of a .cpuprofile written by `node --cpu-prof`:
//   node bench/profile-summary.js PROFILE [--top=40] [--filter=substring] [--callers=substring]
// --callers: for the samples in frames whose file or function matches, the nearest calling frames
// outside that file (who pays for it).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.js FILE.cpuprofile [--top=N] [--filter=TEXT]\n');
  process.exit(2);
}
const opt = (name, dflt) => (process.argv.find((a) => a.startsWith(`--${name}=`)) ?? `=${dflt}`).split('=').slice(1).join('=');
const top = Number(opt('top', 40));
const filter = opt('filter', '');
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTotals = new Map();
const fileTotals = new Map();
const root = path.resolve(__dirname, '..');
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  let url = cf.url.replace(/^file:\/\//, '');
  url = url.startsWith(root) ? path.relative(root, url) : url.replace(/^.*node_modules\//, 'node_modules/');
  const where = url ? `${url}:${cf.lineNumber + 1}` : '';
  const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
  if (filter && !key.includes(filter)) continue;
  fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
  const group = url ? url.replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1') : cf.functionName || '(native)';
  fileTotals.set(group, (fileTotals.get(group) ?? 0) + us);
}
const callers = opt('callers', '');
if (callers) {
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (cf) =>
    `${cf.functionName || '(anonymous)'} ${cf.url
      .replace(/^file:\/\//, '')
      .replace(root + '/', '')
      .replace(/^.*node_modules\//, 'node_modules/')}:${cf.lineNumber + 1}`;
  const match = (cf) => cf.url.includes(callers) || cf.functionName === callers;
  const chains = new Map();
  let sum = 0;
  for (const [id, us] of self) {
    if (!match(byId.get(id).callFrame)) continue;
    sum += us;
    const chain = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 3; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!match(cf)) chain.push(label(cf));
    }
    const key = chain.join(' <- ') || '(top)';
    chains.set(key, (chains.get(key) ?? 0) + us);
  }
  console.log(`samples in "${callers}": ${(sum / 1000).toFixed(0)} ms; called from:`);
  for (const [k, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  process.exit(0);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
console.log('\n-- by package / file');
for (const [k, us] of [...fileTotals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(us)}  ${k}`);
console.log('\n-- by function (self time)');
for (const [k, us] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
