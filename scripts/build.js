#!/usr/bin/env node
// Compiles src/ to dist/ and puts the editor files beside the compiled nodes, where
// Node-RED looks for them (html, locales/ and icons/ next to each node's .js).
// With --tests it also compiles test/ to dist-test/.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');

function compile(project) {
  execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
compile('tsconfig.json');

const nodesOut = path.join(root, 'dist', 'nodes');
fs.mkdirSync(nodesOut, { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
  if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', file), path.join(nodesOut, file));
}
fs.cpSync(path.join(root, 'nodes', 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
const assets = path.join(root, 'src', 'simulator', 'assets');
if (fs.existsSync(assets)) fs.cpSync(assets, path.join(root, 'dist', 'simulator', 'assets'), { recursive: true });
for (const bin of [path.join(root, 'dist', 'simulator', 'bin.js'), path.join(root, 'dist', 'probe', 'bin.js')]) {
  if (fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
}

if (process.argv.includes('--tests')) {
  fs.rmSync(path.join(root, 'dist-test'), { recursive: true, force: true });
  compile(path.join('test', 'tsconfig.json'));
}
