/**
 * Tests are found by node type: every type package.json declares ("node-red"."nodes") has its
 * test/nodes/webtapi-<type>.test.ts (more aspects of one type may add webtapi-<type>.<aspect>.test.ts),
 * and that file describes the type by name. A file named after a type the package does not declare
 * is an error too (a renamed node whose tests kept the old name).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DECLARED_TYPES, PACKAGE_ROOT } from '../declared-nodes';

const TESTS = path.join(PACKAGE_ROOT, 'test', 'nodes');

/** The titles of the describe blocks in a test source. */
function describeTitles(source: string): string[] {
  return [...source.matchAll(/\bdescribe\(\s*(['"`])(.*?)\1/g)].map((m) => m[2]);
}

/** `type` as a whole name in `title`: webtapi-call is not found in "webtapi-call-monitor". */
const names = (title: string, type: string) => new RegExp(`(^|[^\\w-])${type}($|[^\\w-])`).test(title);

describe('tests by node type (test/nodes/webtapi-<type>.test.ts)', () => {
  it('package.json declares the node types (the list this test checks is not empty)', () => {
    assert.ok(DECLARED_TYPES.length >= 11, `declared: ${DECLARED_TYPES.join(', ')}`);
  });

  it('every declared node type has its test file, with a describe block naming the type', () => {
    const missing: string[] = [];
    for (const type of DECLARED_TYPES) {
      const file = path.join(TESTS, `${type}.test.ts`);
      if (!fs.existsSync(file)) {
        missing.push(`${type}: no test/nodes/${type}.test.ts`);
        continue;
      }
      const titles = describeTitles(fs.readFileSync(file, 'utf8'));
      if (!titles.some((t) => names(t, type)))
        missing.push(`${type}: no describe block of test/nodes/${type}.test.ts names it (${titles.join(' | ')})`);
    }
    assert.deepEqual(missing, []);
  });

  it('every test/nodes/webtapi-*.test.ts belongs to a declared node type', () => {
    const types = new Set(DECLARED_TYPES);
    const strays = fs
      .readdirSync(TESTS)
      .filter((f) => f.startsWith('webtapi-') && f.endsWith('.test.ts'))
      .filter((f) => !types.has(f.slice(0, f.indexOf('.'))));
    assert.deepEqual(strays, []);
  });
});
