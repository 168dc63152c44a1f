// Types of scripts/lib/contract-defaults.js for the TypeScript tests (the module itself is plain JS,
// used by the benchmark too).

/** docs/nodes.md: node type → property → default value (undefined: a property with only a type). */
export const CONTRACT_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
