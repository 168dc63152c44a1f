#!/usr/bin/env node
// Self time per function of two .cpuprofile files, B minus A, in µs per message:
//   node bench/profile-diff.js A.cpuprofile B.cpuprofile MESSAGES [--top=40]
// Run the same number of messages through two paths, e.g.
//   node --cpu-prof --cpu-prof-dir=/tmp/a bench/run.js --smoke --phases=throughput --competitors=nodeRedFloor --messages=30000
//   node --cpu-prof --cpu-prof-dir=/tmp/b bench/run.js --smoke --phases=throughput --competitors=node --messages=30000
// (MESSAGES: the messages of the run plus the warm-up, 300 in --smoke).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [a, b, n] = process.argv.slice(2);
if (!a || !b || !n) {
  process.stderr.write('usage: node bench/profile-diff.js A.cpuprofile B.cpuprofile MESSAGES [--top=N]\n');
  process.exit(2);
}
const top = Number((process.argv.find((x) => x.startsWith('--top=')) ?? '--top=40').slice(6));
const root = path.resolve(__dirname, '..');
function selfTimes(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const out = new Map();
  prof.samples.forEach((id, i) => {
    const cf = byId.get(id).callFrame;
    let url = cf.url.replace(/^file:\/\//, '');
    url = url.startsWith(root) ? path.relative(root, url) : url.replace(/^.*node_modules\//, 'node_modules/');
    const key = `${cf.functionName || '(anonymous)'} ${url}${url ? ':' + (cf.lineNumber + 1) : ''}`.trim();
    out.set(key, (out.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  return out;
}
const A = selfTimes(a);
const B = selfTimes(b);
const keys = new Set([...A.keys(), ...B.keys()]);
const rows = [...keys].map((k) => [k, ((B.get(k) ?? 0) - (A.get(k) ?? 0)) / Number(n)]).filter(([k]) => k !== '(idle)');
rows.sort((x, y) => y[1] - x[1]);
const sum = rows.reduce((s, r) => s + r[1], 0);
console.log(`B - A, self time, µs per message (sum without idle ${sum.toFixed(1)}):`);
for (const [k, us] of rows.slice(0, top)) console.log(`${us.toFixed(2).padStart(8)}  ${k}`);
