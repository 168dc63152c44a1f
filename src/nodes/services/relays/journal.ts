/*
 * The journal of pending relay switch-backs: one small JSON file per Node-RED runtime, in its user
 * directory, so a pulse cut off by a crash or a power cut is completed at the next start. Written
 * whole to a temporary file, fsynced and renamed over the old one: a reader sees the old or the new
 * journal, never half of one. A missing file is an empty journal; a damaged one is set aside.
 * The temporary file has a name no one can guess (pid and random) and is created exclusively
 * (`wx`, O_EXCL: it fails on anything already there, a symlink included, and never follows one),
 * so a link planted in the user directory cannot make the runtime overwrite another file.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { messageOf } from '../../../client/errors';

export const JOURNAL_FILE = 'metasec-webtapi-relays.json';
/** How long an entry whose server configuration is gone (or points elsewhere) is kept. */
export const ORPHAN_KEEP_MS = 24 * 3600 * 1000;

export interface PendingSwitchBack {
  /** The webtapi-config node the relay belongs to. */
  config: string;
  /** Fingerprint of that config node's URL: never carried out against another PBX. */
  pbx: string;
  relay: string;
  target: number;
  back: number;
  /** When the relay is to switch back (ms since the epoch). */
  due: number;
  restoreMs: number;
  /** The relay-set node that started the pulse (for the audit trail). */
  node: string;
  /** When the entry was first found without its server configuration. */
  orphanedAt?: number;
}

function valid(e: unknown): e is PendingSwitchBack {
  const x = e as Record<string, unknown> | null;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 128;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return (
    !!x &&
    typeof x === 'object' &&
    str(x.config) &&
    str(x.pbx) &&
    str(x.relay) &&
    str(x.node) &&
    num(x.target) &&
    num(x.back) &&
    num(x.due) &&
    num(x.restoreMs) &&
    (x.orphanedAt === undefined || num(x.orphanedAt))
  );
}

const key = (config: string, relay: string) => `${config}\u0000${relay}`;

/** `<journal>.<pid>-<random>.tmp`: the pid tells a killed runtime's leftovers from this one's. */
export function temporaryName(file: string): string {
  return `${file}.${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
}
/** Also `<journal>.<pid>.tmp`, the name earlier versions used. */
const TEMPORARY = /^(.+)\.(\d+)(?:-[0-9a-f]{16})?\.tmp$/;

export class RelayJournal {
  private readonly entries = new Map<string, PendingSwitchBack>();
  private loading: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  /** `file` null: kept in memory only (no user directory). `tempName`: where each write goes first. */
  constructor(
    readonly file: string | null,
    private readonly warn: (text: string) => void,
    private readonly tempName = temporaryName,
  ) {}

  /** Reads the file once per runtime; answers the entries pending now. Never rejects. */
  load(): Promise<PendingSwitchBack[]> {
    this.loading ??= this.read().then((found) => {
      for (const e of found) if (!this.entries.has(key(e.config, e.relay))) this.entries.set(key(e.config, e.relay), e);
    });
    return this.loading.then(() => this.list());
  }

  list(): PendingSwitchBack[] {
    return [...this.entries.values()];
  }

  /** Records (or replaces) the relay's pending switch-back; resolves once it is on disk. */
  put(entry: PendingSwitchBack): Promise<void> {
    this.entries.set(key(entry.config, entry.relay), { ...entry });
    return this.flush();
  }

  remove(config: string, relay: string): Promise<void> {
    if (!this.entries.delete(key(config, relay))) return Promise.resolve();
    return this.flush();
  }

  /** Writes the journal as it is when the write starts; writes asked for meanwhile share the next one. */
  flush(): Promise<void> {
    if (this.file === null) return Promise.resolve();
    if (this.queued) return this.queued;
    const next = this.writing.then(() => {
      this.queued = null;
      return this.write(this.file as string);
    });
    this.queued = next;
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Temporary files of runtimes killed while writing: the journal itself is whole either way. */
  private async removeStaleTemporaries(file: string): Promise<void> {
    const base = path.basename(file);
    const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
    for (const name of names) {
      const m = TEMPORARY.exec(name);
      if (m && m[1] === base && Number(m[2]) !== process.pid) await fs.unlink(path.join(path.dirname(file), name)).catch(() => undefined);
    }
  }

  private async write(file: string): Promise<void> {
    const body = JSON.stringify({ version: 1, pending: [...this.entries.values()] }, null, 1) + '\n';
    const tmp = this.tempName(file);
    // wx plus O_NOFOLLOW where the system has it: created here, never opened through a link.
    const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    // The rename itself is durable only once the directory is synced (not possible everywhere).
    const dir = await fs.open(path.dirname(file), 'r').catch(() => null);
    if (dir)
      await dir
        .sync()
        .catch(() => undefined)
        .finally(() => dir.close());
  }

  private async read(): Promise<PendingSwitchBack[]> {
    if (this.file === null) return [];
    await this.removeStaleTemporaries(this.file);
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.warn(
          `relay journal ${this.file} cannot be read (${messageOf(err)}); pending switch-backs from before the restart are not known`,
        );
      return [];
    }
    let pending: unknown;
    try {
      pending = (JSON.parse(text) as { pending?: unknown }).pending;
      if (!Array.isArray(pending)) throw new Error('no list of pending switch-backs');
    } catch (err) {
      const aside = `${this.file}.damaged`;
      await fs.rename(this.file, aside).catch(() => undefined);
      this.warn(
        `relay journal ${this.file} is damaged (${messageOf(err).slice(0, 80)}); set aside as ${path.basename(aside)}, starting with an empty journal`,
      );
      return [];
    }
    const good = pending.filter(valid);
    if (good.length < pending.length)
      this.warn(
        `relay journal ${this.file}: ${pending.length - good.length} damaged entr${pending.length - good.length === 1 ? 'y' : 'ies'} ignored`,
      );
    return good;
  }
}
