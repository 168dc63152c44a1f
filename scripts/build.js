#!/usr/bin/env node
// Compiles src/ to dist/ and puts the editor files beside the compiled nodes, where
// Node-RED looks for them (html, locales/ and icons/ next to each node's .js). The help pages and
// the editor's error texts and validation rules are completed from the client's tables on the way
// (scripts/editor-assets.js).
// With --tests it also compiles test/ to dist-test/.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const assets = require('./editor-assets');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');

function compile(project) {
  execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
compile('tsconfig.json');

const nodesOut = path.join(root, 'dist', 'nodes');
fs.mkdirSync(nodesOut, { recursive: true });
assets.writeEditorFiles(nodesOut);
assets.writeLocales(path.join(nodesOut, 'locales'));
assets.updateEditorScript();
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
const simAssets = path.join(root, 'src', 'simulator', 'assets');
if (fs.existsSync(simAssets)) fs.cpSync(simAssets, path.join(root, 'dist', 'simulator', 'assets'), { recursive: true });
for (const bin of [path.join(root, 'dist', 'simulator', 'bin.js'), path.join(root, 'dist', 'probe', 'bin.js')]) {
  if (fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
}

if (process.argv.includes('--tests')) {
  fs.rmSync(path.join(root, 'dist-test'), { recursive: true, force: true });
  compile(path.join('test', 'tsconfig.json'));
}
