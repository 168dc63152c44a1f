/**
 * The node types the package declares: package.json "node-red"."nodes", the list Node-RED loads.
 * Tests that need every type read it here instead of writing it out again; a test that checks the
 * list against something else (a test file per type, what a running Node-RED registered, what the
 * editor shows) compares what it finds with this.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package's root: test/ and dist-test/ both sit right below it. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

const declared = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } }
)['node-red'].nodes;

/** Every declared node type, the config node first (package.json's order). */
export const DECLARED_TYPES: readonly string[] = Object.keys(declared);

/** The file Node-RED loads for `type` (absolute), as package.json names it. */
export function declaredFile(type: string): string {
  const file = declared[type];
  if (!file) throw new Error(`package.json does not declare the node type ${type}`);
  return path.join(PACKAGE_ROOT, file);
}
