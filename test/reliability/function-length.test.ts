/*
 * Functions stay short enough to read at once: at most 60 lines in src/, 80 in scripts/ and bench/
 * (the house rule), measured with the TypeScript compiler from a function's first line to its
 * last. A node module's `export = (RED) => { ... }` wrapper is not measured: it only registers the
 * node type, and the functions inside it are measured on their own.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const LIMITS: ReadonlyArray<{ dir: string; ext: RegExp; max: number }> = [
  { dir: 'src', ext: /\.ts$/, max: 60 },
  { dir: 'scripts', ext: /\.(js|ts)$/, max: 80 },
  { dir: 'bench', ext: /\.(js|ts)$/, max: 80 },
];

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...files(full, ext));
    else if (entry.isFile() && ext.test(entry.name)) out.push(full);
  }
  return out;
}

function isRegistrationWrapper(node: ts.Node): boolean {
  return ts.isArrowFunction(node) && ts.isExportAssignment(node.parent);
}

/** Every function in `source` longer than `max` lines, as "file:line name (lines)". */
export function longFunctions(file: string, source: string, max: number): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && !isRegistrationWrapper(node)) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      if (last - first + 1 > max) found.push(`${path.relative(ROOT, file)}:${first} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('function length', function () {
  this.timeout(60_000);

  for (const { dir, ext, max } of LIMITS) {
    it(`no function in ${dir}/ is longer than ${max} lines`, () => {
      const over = files(path.join(ROOT, dir), ext).flatMap((f) => longFunctions(f, fs.readFileSync(f, 'utf8'), max));
      assert.deepEqual(over, []);
    });
  }

  it('measures: a 61-line function fails the src limit, a 60-line one and the export wrapper do not', () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    assert.deepEqual(longFunctions('x.ts', `function ok() {\n${body(60)}\n}\n`, 60), []);
    assert.deepEqual(longFunctions(path.join(ROOT, 'x.ts'), `const f = () => {\n${body(61)}\n};\n`, 60), ['x.ts:1 (anonymous) (61 lines)']);
    assert.deepEqual(longFunctions('x.ts', `export = (RED: unknown) => {\n${body(70)}\n};\n`, 60), []);
  });
});
