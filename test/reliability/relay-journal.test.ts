/*
 * The relay journal's file (src/nodes/services/relays/journal.ts) in a user directory someone else
 * can write to: a symlink planted where the temporary file goes never makes the runtime write
 * through it; the journal itself is still written whole.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JOURNAL_FILE, RelayJournal, temporaryName, type PendingSwitchBack } from '../../dist/nodes/services/relays/journal';

const ENTRY: PendingSwitchBack = {
  config: 'cfg',
  pbx: 'fp',
  relay: '17',
  target: 1,
  back: 0,
  due: 1_700_000_000_000,
  restoreMs: 3000,
  node: 'door',
};

describe('reliability: the relay journal file', () => {
  let dir: string;
  let file: string;
  let victim: string;
  const warnings: string[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-journal-'));
    file = path.join(dir, JOURNAL_FILE);
    victim = path.join(dir, 'settings.js');
    fs.writeFileSync(victim, 'module.exports = { adminAuth: "the user\'s own" };\n');
    warnings.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const journal = (tempName?: (f: string) => string) => new RelayJournal(file, (t) => warnings.push(t), tempName);
  const victimText = () => fs.readFileSync(victim, 'utf8');

  it('writes the journal whole, mode 0600, through a temporary file of an unguessable name', async () => {
    await journal().put(ENTRY);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).pending, [ENTRY]);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir).sort(), [JOURNAL_FILE, 'settings.js'], 'no temporary file left');
    const a = temporaryName(file);
    assert.match(path.basename(a), new RegExp(`^${JOURNAL_FILE.replace(/\./g, '\\.')}\\.${process.pid}-[0-9a-f]{16}\\.tmp$`));
    assert.notEqual(a, temporaryName(file));
    assert.deepEqual(await journal().load(), [ENTRY], 'a new runtime reads it back');
  });

  it('a symlink planted at the old, predictable temporary name (<journal>.<pid>.tmp) is not written through', async () => {
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    const before = victimText();
    await journal().put(ENTRY);
    assert.equal(victimText(), before, "the link's target is untouched");
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).pending, [ENTRY]);
    assert.equal(fs.lstatSync(file).isSymbolicLink(), false);
  });

  it('a symlink (or any file) at the very name chosen: the write is refused, nothing goes through the link', async () => {
    const planted = `${file}.${process.pid}-${'0'.repeat(16)}.tmp`;
    fs.symlinkSync(victim, planted);
    const before = victimText();
    await assert.rejects(journal(() => planted).put(ENTRY), (err: NodeJS.ErrnoException) => err.code === 'EEXIST' || err.code === 'ELOOP');
    assert.equal(victimText(), before, "the link's target is untouched");
    assert.equal(fs.existsSync(file), false, 'no journal written from a file it did not create');
    // A dangling link: not created through either.
    const dangling = path.join(dir, 'created-by-the-link');
    fs.unlinkSync(planted);
    fs.symlinkSync(dangling, planted);
    await assert.rejects(journal(() => planted).put(ENTRY));
    assert.equal(fs.existsSync(dangling), false);
  });

  it('a journal that is itself a symlink is replaced by a file of its own; the target is untouched', async () => {
    fs.symlinkSync(victim, file);
    const before = victimText();
    const j = journal();
    await j.load();
    await j.put(ENTRY);
    assert.equal(victimText(), before);
    assert.equal(fs.lstatSync(file).isSymbolicLink(), false);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).pending, [ENTRY]);
  });
});
