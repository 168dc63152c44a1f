/**
 * The rule "a field set in the dialog is fixed, an empty one is filled from the message" is
 * written once, in the help part nodes/help/<lang>/field-sources.html (its paragraph and table of
 * class webtapi-field-rule). README's "Messages" and docs/nodes.md's "Message conventions" carry
 * the same paragraph and table in Markdown: this test holds them equal, as codes.test.ts does the
 * error table.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The help part's inline markup as Markdown: <code> → `…`, <i> → *…*; anything else is an error. */
function markdown(html: string): string {
  const md = html.replace(/<code>(.*?)<\/code>/g, '`$1`').replace(/<i>(.*?)<\/i>/g, '*$1*');
  assert.doesNotMatch(md, /[<>&]/, `markup the Markdown copies cannot carry: ${md}`);
  return squash(md);
}

interface Rule {
  paragraph: string;
  rows: string[][];
}

function helpRule(lang: string): Rule {
  const html = read(`nodes/help/${lang}/field-sources.html`);
  const paragraph = /<p class="webtapi-field-rule">([\s\S]*?)<\/p>/.exec(html);
  const table = /<table class="webtapi-field-rule">([\s\S]*?)<\/table>/.exec(html);
  assert.ok(paragraph && table, `${lang}: the part has no paragraph or table of class webtapi-field-rule`);
  const rows = [...table[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map((c) => markdown(c[1])),
  );
  return { paragraph: markdown(paragraph[1]), rows };
}

/** The Markdown table whose header row is `header`, without its |---| line. */
function markdownTable(doc: string, header: string[]): string[][] {
  const lines = doc.split('\n');
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(' | ')
      .map((c) => squash(c));
  const start = lines.findIndex((l) => l.startsWith('|') && JSON.stringify(cells(l)) === JSON.stringify(header));
  assert.ok(start >= 0, `no table with the header ${header.join(' | ')}`);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) {
    if (!/^\|[-| ]+\|$/.test(lines[i].trim())) rows.push(cells(lines[i]));
  }
  return rows;
}

function section(doc: string, heading: string): string {
  const at = doc.indexOf(heading);
  assert.ok(at >= 0, `no section ${heading}`);
  const end = doc.indexOf('\n#', at + heading.length);
  return doc.slice(at, end < 0 ? undefined : end);
}

describe('the field rule: help part, README and docs/nodes.md say the same', () => {
  const rule = helpRule('en-US');

  it('the help part states the rule as one paragraph and one table (set, empty, TypedInput)', () => {
    assert.match(rule.paragraph, /set in the node's dialog is fixed/);
    assert.equal(rule.rows.length, 4, 'a header and three rows');
    assert.ok(
      rule.rows.every((r) => r.length === 2 && r.every((c) => c.length > 0)),
      JSON.stringify(rule.rows),
    );
  });

  for (const [file, heading] of [
    ['README.md', '### Messages'],
    ['docs/nodes.md', '## Message conventions'],
  ] as const) {
    it(`${file} carries the help part's paragraph and table`, () => {
      const text = section(read(file), heading);
      assert.ok(squash(text).includes(rule.paragraph), `${file}: the paragraph differs from the help part:\n${rule.paragraph}`);
      assert.deepEqual(markdownTable(text, rule.rows[0]), rule.rows);
    });
  }

  it('the German part has the same table: as many rows, the same code in each cell', () => {
    const de = helpRule('de');
    const codes = (r: Rule) => r.rows.map((row) => row.map((c) => [...c.matchAll(/`[^`]*`/g)].join(' ')));
    assert.deepEqual(codes(de), codes(rule));
    assert.deepEqual([...de.paragraph.matchAll(/`[^`]*`/g)].join(' '), [...rule.paragraph.matchAll(/`[^`]*`/g)].join(' '));
  });

  it('a copy that differs is found (the check can fail)', () => {
    const doc = `### Messages\n\n${rule.paragraph}\n\n| ${rule.rows[0].join(' | ')} |\n|---|---|\n| ${rule.rows[1][0]} | the message |\n`;
    assert.notDeepEqual(markdownTable(doc, rule.rows[0]), rule.rows);
  });
});
