// What the build writes for the editor from the client's own tables, so that the editor, the help
// and the runtime cannot disagree:
// - editor files: nodes/<type>.html with `<!-- include: PART key="value" -->` lines replaced by
//   nodes/parts/PART.html ({{type}} is the node type): the rows and the script opening every
//   dialog has, written once.
// - help pages: nodes/locales/<lang>/<type>.html with `<!-- include: PART key="value" -->` lines,
//   each replaced by nodes/help/<lang>/PART.html (or nodes/help/all/PART.html, a part without
//   words) with {{key}} filled in; {{codes}} is the list of
//   error codes a flow can see, from src/client/codes.ts (see docs/architecture.md, "Help").
// - the editor's error texts: the `errors` key of nodes/locales/<lang>/webtapi-config.json.
// - the rules block in resources/webtapi-editor.js: validation rules from src/client/validate.ts,
//   error codes from src/client/codes.ts (rewritten in place: the file is served as it is).
// It reads the compiled client (dist/client), so it runs after tsc.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const INCLUDE = /^[ \t]*<!-- include: ([a-z0-9-]+)((?: [a-z]+="[^"]*")*) -->[ \t]*$/gm;

function client() {
  return require(path.join(root, 'dist', 'client'));
}

/** The error-code list of the help, in `lang`: one <li> per code a flow can see. */
function codeList(lang) {
  const { ERROR_CODES, flowCodes } = client();
  return flowCodes()
    .map((code) => `        <li><code>${code}</code>: ${ERROR_CODES[code].meaning[lang]}</li>`)
    .join('\n');
}

/**
 * `text` with each `<!-- include: PART key="value" -->` line replaced by the file PART.html of
 * `partsDir` (a folder, or part → folder), its {{key}} filled in from the line or from `builtins`
 * (name → (get) => text, get: name → its text, from the line or a builtin). A part's own include lines are expanded
 * too. An unknown part or an unfilled {{key}} stops the build.
 */
function expandIncludes(text, partsDir, builtins, file) {
  return text.replace(INCLUDE, (_line, part, attrs) => {
    const dir = typeof partsDir === 'function' ? partsDir(part) : partsDir;
    const rel = path.relative(root, dir);
    const partFile = path.join(dir, `${part}.html`);
    if (!fs.existsSync(partFile)) throw new Error(`${file}: no part ${rel}/${part}.html`);
    const vars = { ...builtins };
    for (const m of attrs.matchAll(/ ([a-z]+)="([^"]*)"/g)) vars[m[1]] = () => m[2];
    const get = (name) => {
      if (!vars[name]) throw new Error(`${file}: ${rel}/${part}.html needs ${name}="..."`);
      return vars[name](get);
    };
    const out = fs.readFileSync(partFile, 'utf8').replace(/\{\{([a-z]+)\}\}/g, (_m, name) => get(name));
    // a part may itself hold include lines (a row around a field part): expanded the same way
    return expandIncludes(out.replace(/\n$/, ''), partsDir, builtins, file);
  });
}

/**
 * A help page with its include lines replaced by the parts in nodes/help/<lang>/ ({{codes}}: the
 * error list), or, for a part without words (a table of codes), in nodes/help/all/.
 */
function assembleHelp(text, lang, file = 'help') {
  const dir = (part) => (fs.existsSync(path.join(root, 'nodes', 'help', 'all', `${part}.html`)) ? 'all' : lang);
  return expandIncludes(text, (part) => path.join(root, 'nodes', 'help', dir(part)), { codes: () => codeList(lang) }, file);
}

/**
 * The <option>s of a select part: one per word of `values`, its text `<type>.<field>.<value>` of
 * the catalogue; the word `-` is the "(from the message)" option: value "", text `<type>.<field>.fromMsg`.
 */
function selectOptions(get) {
  const key = `${get('type')}.${get('field')}`;
  const option = (v) =>
    v === '-'
      ? `            <option value="" data-i18n="${key}.fromMsg"></option>`
      : `            <option value="${v}" data-i18n="${key}.${v}"></option>`;
  return get('values').split(' ').map(option).join('\n');
}

/**
 * An editor file nodes/<type>.html with its include lines replaced by the parts in nodes/parts/
 * ({{type}}: the node type; {{input}}: the id prefix of its inputs, which Node-RED names
 * differently for a config node; {{options}}: the options of a select part's values="a b";
 * {{key}}: the catalogue name of a field's texts, the field's own name unless the line gives key="..").
 */
function assembleEditor(text, type, file = `nodes/${type}.html`) {
  const input = type === 'webtapi-config' ? 'node-config-input' : 'node-input';
  const builtins = { type: () => type, input: () => input, options: selectOptions, key: (get) => get('field') };
  return expandIncludes(text, path.join(root, 'nodes', 'parts'), builtins, file);
}

/** Writes the editor files nodes/*.html to `outDir`, assembled. */
function writeEditorFiles(outDir) {
  for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
    if (!file.endsWith('.html')) continue;
    const text = fs.readFileSync(path.join(root, 'nodes', file), 'utf8');
    fs.writeFileSync(path.join(outDir, file), assembleEditor(text, file.slice(0, -'.html'.length)));
  }
}

/** The webtapi-config catalogue with the editor's text for every error code (hint) added. */
function configCatalogue(text, lang) {
  const { ERROR_CODES } = client();
  const catalogue = JSON.parse(text);
  catalogue['webtapi-config'].errors = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, info]) => [code, info.hint[lang]]));
  return JSON.stringify(catalogue, null, 4) + '\n';
}

/** Writes nodes/locales to `outDir` with the help assembled and the error texts added. */
function writeLocales(outDir) {
  const src = path.join(root, 'nodes', 'locales');
  for (const lang of fs.readdirSync(src)) {
    fs.mkdirSync(path.join(outDir, lang), { recursive: true });
    for (const file of fs.readdirSync(path.join(src, lang))) {
      let text = fs.readFileSync(path.join(src, lang, file), 'utf8');
      if (file.endsWith('.html')) text = assembleHelp(text, lang, `nodes/locales/${lang}/${file}`);
      if (file === 'webtapi-config.json') text = configCatalogue(text, lang);
      fs.writeFileSync(path.join(outDir, lang, file), text);
    }
  }
}

const RULES_BEGIN = '    /* BEGIN rules generated by scripts/build.js from src/client/validate.ts: do not edit */';
const RULES_END = '    /* END generated rules */';

/** The rules block of resources/webtapi-editor.js, as the client has them now. */
function rulesBlock() {
  const { EDITOR_RULES, ERROR_CODE_NAMES } = client();
  const rules = { ...EDITOR_RULES, errorCodes: ERROR_CODE_NAMES };
  return `${RULES_BEGIN}\n    var RULES = ${JSON.stringify(rules, null, 4).replace(/\n/g, '\n    ')};\n${RULES_END}`;
}

/** resources/webtapi-editor.js with its rules block replaced by the client's (the file itself if equal). */
function editorScript(text) {
  const begin = text.indexOf(RULES_BEGIN);
  const end = text.indexOf(RULES_END);
  if (begin === -1 || end < begin) throw new Error('resources/webtapi-editor.js: no generated rules block');
  return text.slice(0, begin) + rulesBlock() + text.slice(end + RULES_END.length);
}

/** Rewrites the rules block of resources/webtapi-editor.js when the client's rules changed. */
function updateEditorScript() {
  const file = path.join(root, 'resources', 'webtapi-editor.js');
  const text = fs.readFileSync(file, 'utf8');
  const updated = editorScript(text);
  if (updated !== text) fs.writeFileSync(file, updated);
}

module.exports = {
  assembleEditor,
  assembleHelp,
  codeList,
  configCatalogue,
  editorScript,
  updateEditorScript,
  writeEditorFiles,
  writeLocales,
};
