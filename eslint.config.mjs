// One lint configuration for the package: TypeScript sources and tests, the build/demo scripts and the benchmark.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node's globals for the CommonJS scripts (typescript-eslint turns no-undef off for .ts: the compiler checks names there).
const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'AbortController',
    'AbortSignal',
    'TextEncoder',
    'TextDecoder',
    'fetch',
    'structuredClone',
    'global',
  ].map((name) => [name, 'readonly']),
);

// A lint exception says why it is one: `// eslint-disable-next-line <rule> -- <reason>` (no plugin needed for one rule).
const directiveReason = {
  meta: { type: 'suggestion', schema: [], messages: { noReason: 'an eslint-disable comment gives its reason after " -- "' } },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (/^\s*eslint-disable/.test(comment.value) && !/\s--\s+\S/.test(comment.value))
            context.report({ loc: comment.loc, messageId: 'noReason' });
        }
      },
    };
  },
};

export default tseslint.config(
  {
    // nodes/*.html and resources/: the editor's ES5 browser code, checked in real Chromium by test/editor-static and test/e2e.
    ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'matrix/**', '.demo/**', '.e2e-artifacts/**', 'nodes/**', 'resources/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { local: { rules: { 'directive-reason': directiveReason } } },
    rules: {
      'local/directive-reason': 'error',
      // Code and comments wrap at 140 (prettier wraps code); a long text stays one literal so that it can be found with grep.
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
      // Node-RED's own idiom: a node's constructor names `this` once, and its handlers close over `node`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Type-aware where it pays: a floating promise in a Node-RED node is an unhandled rejection, which stops Node-RED.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
    },
  },
  {
    // Tests drive Node-RED's runtime, the test helper and the editor's page objects, which have no (or partial) types,
    // and load the demo's CommonJS scripts as they are: `any` and require() are the honest types there, not in src/.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
