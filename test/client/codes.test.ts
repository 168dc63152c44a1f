/**
 * The error-code registry (src/client/codes.ts) is the one list of WEBTAPI_* codes: every code the
 * package's source can produce must be in it, every error class must carry one of its codes, and
 * every entry must say what it means in both languages.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as client from '../../dist/client';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|html|js)$/.test(e.name) ? [p] : [];
  });
}

describe('error-code registry', () => {
  it('holds every WEBTAPI_* code written in src/, nodes/ and resources/', () => {
    const found = new Set<string>();
    for (const dir of ['src/client', 'src/nodes', 'nodes', 'resources']) {
      for (const file of sourceFiles(path.join(ROOT, dir))) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bWEBTAPI_[A-Z_]+\b/g)) found.add(m[0]);
      }
    }
    assert.ok(found.size > 5, 'no codes found: is the scan looking in the right place?');
    const unknown = [...found].filter((c) => !client.isErrorCode(c));
    assert.deepEqual(unknown, [], 'codes used in the source but missing in src/client/codes.ts');
  });

  it('has a class per client code, whose instances carry it', () => {
    const samples: client.WebTapiError[] = [
      new client.LoginFailedError('x', 1),
      new client.ActionFailedError('call'),
      new client.TimeoutError('call_list', 1),
      new client.HttpStatusError('call', 500),
      new client.BadResponseError('call', 'x'),
      new client.OutcomeUnknownError('call', 'timeout', 'x'),
      new client.InvalidInputError('call', 'dst', 'x'),
      new client.UnreachableError('call', 'ECONNREFUSED', false, 'x'),
      new client.TlsError('call', undefined, 'x'),
      new client.NotWebTapiError('x'),
      new client.ResponseTooLargeError('call', 1),
      new client.AbortedError('call'),
      new client.ClosedError('call'),
      new client.RelayNotRestoredError('17', 0, 3, 'x'),
      new client.AccessDeniedError('relay_status_set', 'wrong', 0),
    ];
    const exported = Object.values(client).filter((v) => typeof v === 'function' && v.prototype instanceof client.WebTapiError);
    assert.equal(samples.length, exported.length, 'a new error class needs a sample here');
    for (const err of samples) {
      assert.ok(client.isWebTapiError(err));
      assert.ok(client.isErrorCode(err.code), `${err.name}: ${err.code}`);
      assert.ok(client.errorKind(err.code) !== 'editor', `${err.code}: a client error a flow sees is not editor-only`);
    }
  });

  it('says what each code means, in en-US and de, with the same markup', () => {
    for (const [code, info] of Object.entries(client.ERROR_CODES)) {
      for (const field of ['meaning', 'hint'] as const) {
        const en = info[field]['en-US'];
        const de = info[field].de;
        assert.ok(en.trim() && de.trim(), `${code}.${field}`);
        assert.notEqual(en, de, `${code}.${field}: de is not translated`);
        const tags = (t: string) => (t.match(/<\/?[a-z]+>/g) ?? []).sort();
        assert.deepEqual(tags(de), tags(en), `${code}.${field}: markup differs`);
      }
      assert.doesNotMatch(info.hint['en-US'] + info.hint.de, /</, `${code}.hint is plain text (the editor shows it as text)`);
    }
  });

  it('puts in the audit trail exactly the failures that may have reached the PBX', () => {
    const reached = client.ERROR_CODE_NAMES.filter((c) => client.mayHaveReachedPbx(c)).sort();
    assert.deepEqual(reached, [
      'WEBTAPI_ACTION_FAILED',
      'WEBTAPI_BAD_RESPONSE',
      'WEBTAPI_HTTP_STATUS',
      'WEBTAPI_OUTCOME_UNKNOWN',
      'WEBTAPI_RESPONSE_TOO_LARGE',
      'WEBTAPI_TIMEOUT',
    ]);
  });

  it("README's error table names every code a flow can see", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('\n## ', readme.indexOf('### Errors')));
    const named = new Set([...section.matchAll(/`(WEBTAPI_[A-Z_]+)`/g)].map((m) => m[1]));
    assert.deepEqual(
      client.flowCodes().filter((c) => !named.has(c)),
      [],
    );
    assert.deepEqual(
      [...named].filter((c) => !client.isErrorCode(c)),
      [],
    );
  });
});
